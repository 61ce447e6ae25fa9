"""How people's names are written."""


def person_name(user) -> str:
    """Chinese names read family name first, with no space; others "given family"."""
    family, given = user.last_name.strip(), user.first_name.strip()
    if not (family or given):
        return user.get_username()
    if any("\u4e00" <= char <= "\u9fff" for char in family + given):
        return f"{family}{given}"
    return f"{given} {family}".strip()
