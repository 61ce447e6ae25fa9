# Statistical tables in China group digits by thousands with a comma (14,444), which
# Django's zh_Hans default (no separator, groups of four) does not do.
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
# 11月6日, not Django's 11月06日.
MONTH_DAY_FORMAT = "n月j日"
