"""Fictional names for demo enterprises and shops: place + trade name + trade word + form."""

import random

TRADE_CHARS = (
    "华恒盛达鑫瑞丰泰源嘉宏博信诚联德凯睿晟昊锦新海天正通永康佳明顺汇创升辉捷力众合杰益越立"
    "科美安远宇兴隆昌荣福祥和利铭澜泓灏峰璟煜航腾骏逸禾晨曦卓尚弘"
)
PLACES = ["浙江", "嘉兴", "桐乡", "桐乡市"]
FORMS = ["有限公司", "有限公司", "有限公司", "有限责任公司", "股份有限公司"]

# Trade words by GB/T 4754 division, so a name says what the firm does.
TRADE_WORDS = {
    "13": ["食品", "农产品加工"],
    "14": ["食品", "饮品"],
    "15": ["饮品", "酒业"],
    "17": ["纺织", "织造", "家纺"],
    "18": ["服饰", "毛衫", "制衣"],
    "19": ["皮革", "皮草"],
    "20": ["木业"],
    "21": ["家具"],
    "22": ["纸业", "包装"],
    "23": ["印务", "包装印刷"],
    "26": ["化工", "新材料"],
    "27": ["生物医药", "药业"],
    "28": ["化纤", "纤维"],
    "29": ["塑业", "橡塑"],
    "30": ["玻纤", "复合材料", "新型建材"],
    "31": ["钢业", "金属"],
    "32": ["金属材料", "新能源材料"],
    "33": ["金属制品", "五金"],
    "34": ["机械", "传动", "精密机械", "动力"],
    "35": ["智能装备", "专用设备", "医疗器械"],
    "36": ["汽车部件", "汽配", "车业"],
    "37": ["轨道装备", "航空部件"],
    "38": ["电气", "电器", "新能源科技", "电池"],
    "39": ["电子", "智能科技", "光电"],
    "40": ["仪器仪表", "检测设备"],
    "41": ["工艺品"],
    "42": ["再生资源"],
    "44": ["能源", "热电"],
    "46": ["水务"],
    "47": ["建设工程"],
    "48": ["建设工程"],
    "50": ["建筑装饰"],
    "51": ["贸易", "商贸", "进出口"],
    "52": ["商贸"],
    "53": ["物流"],
    "54": ["物流", "运输"],
    "58": ["供应链"],
    "59": ["仓储"],
    "60": ["快递"],
    "61": ["酒店管理"],
    "62": ["餐饮管理"],
    "63": ["网络科技", "通信技术"],
    "64": ["网络科技", "信息技术"],
    "65": ["软件", "信息技术", "数据科技", "智能科技"],
    "66": ["金融服务"],
    "67": ["投资"],
    "69": ["融资租赁"],
    "70": ["置业", "房地产开发"],
    "71": ["租赁"],
    "72": ["企业管理咨询", "商务服务", "人力资源"],
    "73": ["科技", "研究院"],
    "74": ["检测技术", "工程设计"],
    "75": ["技术服务", "科技服务"],
    "78": ["物业管理"],
    "80": ["家政服务"],
    "83": ["培训"],
    "84": ["健康管理"],
    "88": ["文化传媒"],
}

SHOP_WORDS = {
    "52": ["便利店", "超市", "五金店", "日用品商店", "服装店", "水果店"],
    "62": ["面馆", "小吃店", "餐馆", "饭店", "烧烤店"],
    "80": ["理发店", "洗衣店", "家电维修部", "美容店"],
    "81": ["汽车维修部", "电动车维修部"],
    "51": ["商行", "经营部"],
    "17": ["织造厂", "纺织加工厂"],
    "18": ["毛衫加工厂", "服装加工坊"],
}
SUBDISTRICTS = ["高桥街道", "梧桐街道", "凤鸣街道", "龙翔街道"]
ROAD_CHARS = "振兴庆丰复兴康泰发展星火梧桐凤鸣龙翔崇福永安文华新华环城校场经济开发"
ROAD_KINDS = ["路", "大道", "街", "东路", "西路", "北路", "南路"]


class NameMaker:
    """Unique fictional names; one instance per demo build."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()

    def _unique(self, make) -> str:
        for _ in range(200):
            name = make()
            if name not in self.used:
                self.used.add(name)
                return name
        raise RuntimeError("ran out of fictional names")

    def trade_name(self, length: int = 2) -> str:
        return "".join(self.rng.sample(TRADE_CHARS, length))

    def company(self, division: str, large: bool = False) -> str:
        words = TRADE_WORDS.get(division, ["科技", "实业"])

        def make() -> str:
            place = self.rng.choice(PLACES[:2] if large else PLACES)
            form = "股份有限公司" if large and self.rng.random() < 0.6 else self.rng.choice(FORMS)
            trade_name = self.trade_name(self.rng.choice((2, 2, 3)))
            return f"{place}{trade_name}{self.rng.choice(words)}{form}"

        return self._unique(make)

    def cooperative(self) -> str:
        def make() -> str:
            produce = self.rng.choice(["果蔬", "蚕桑", "粮油", "杭白菊", "湖羊"])
            return f"桐乡市{self.trade_name(2)}{produce}专业合作社"

        return self._unique(make)

    def shop(self, division: str, owner: str) -> str:
        words = SHOP_WORDS.get(division, ["经营部"])

        def make() -> str:
            place = f"桐乡市{self.rng.choice(SUBDISTRICTS)}"
            brand = self.rng.choice([owner, f"{owner[0]}记", self.trade_name(2)])
            return f"{place}{brand}{self.rng.choice(words)}"

        return self._unique(make)

    def address(self, park_name: str | None) -> str:
        road = "".join(self.rng.sample(ROAD_CHARS, 2)) + self.rng.choice(ROAD_KINDS)
        area = park_name or self.rng.choice(SUBDISTRICTS)
        return f"浙江省嘉兴市桐乡市{area}{road}{self.rng.randint(1, 1999)}号"
