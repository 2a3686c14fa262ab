"""The demo expo night, as data only (seeded by ``liveport.demo.seed``).

Companies, people and barcodes are invented; HS codes, units, countries and tax classes are
real. FX rates are round demo reference rates, not market quotes. Prices are in the
exhibitor's currency; the CNY price follows from the rate. The French and Japanese cosmetics
sit on both sides of the consumption-tax threshold (¥10 per ml/g, ¥15 per sheet).
"""
from __future__ import annotations

from typing import Any

EMAIL_DOMAIN = "demo.liveport.test"

# CNY per one unit of the currency.
FX_RATES: dict[str, str] = {
    "AED": "1.93000000",
    "AUD": "4.70000000",
    "EUR": "7.80000000",
    "JPY": "0.04800000",
    "KRW": "0.00520000",
    "NZD": "4.30000000",
    "RUB": "0.08000000",
    "THB": "0.20000000",
    "USD": "7.10000000",
}

BONDED_WAREHOUSE: dict[str, str] = {
    "code": "LP-BONDED-01",
    "name_zh": "Liveport 保税物流中心",
    "name_en": "Liveport Bonded Logistics Centre",
    "kind": "bonded",
    "country_code": "142",
}

# (customs country code, hall)
PAVILIONS: list[tuple[str, str]] = [
    ("344", "Hall 1"),  # Russia
    ("101", "Hall 1"),  # Afghanistan
    ("138", "Hall 1"),  # United Arab Emirates
    ("116", "Hall 2"),  # Japan
    ("133", "Hall 2"),  # Korea
    ("136", "Hall 2"),  # Thailand
    ("305", "Hall 3"),  # France
    ("307", "Hall 3"),  # Italy
    ("304", "Hall 3"),  # Germany
    ("601", "Hall 4"),  # Australia
    ("609", "Hall 4"),  # New Zealand
]

# key, country, name_zh, name_en, customs registration code, customs name (the seller of record)
EXHIBITORS: list[tuple[str, str, str, str, str, str]] = [
    ("ru-sweets", "344", "伏尔加糖果出口公司", "Volga Confectionery Export", "3101960R01", "伏尔加糖果进出口(上海)有限公司"),
    ("ru-honey", "344", "阿尔泰蜂蜜之家", "Altai Honey House", "3101960R02", "阿尔泰蜂业贸易(上海)有限公司"),
    ("af-nuts", "101", "喀布尔松子公司", "Kabul Pine Nut Company", "3101960A01", "喀布尔松子贸易(上海)有限公司"),
    ("ae-camel", "138", "阿联酋骆驼乳业", "Emirates Camel Dairy", "3101960E01", "阿联酋骆驼乳业贸易(上海)有限公司"),
    ("jp-beauty", "116", "樱花肌研", "Sakura Skin Lab", "3101960J01", "樱花肌研贸易(上海)有限公司"),
    ("kr-beauty", "133", "首尔光彩化妆品", "Seoul Glow Cosmetics", "3101960K01", "首尔光彩化妆品贸易(上海)有限公司"),
    ("th-farm", "136", "暹罗丰收", "Siam Harvest", "3101960T01", "暹罗丰收农产品贸易(上海)有限公司"),
    ("fr-beauty", "305", "光之屋化妆品", "Maison Lumiere Cosmetiques", "3101960F01", "光之屋化妆品贸易(上海)有限公司"),
    ("fr-wine", "305", "波尔多示范酒庄", "Chateau Demo Bordeaux", "3101960F02", "波尔多示范酒业(上海)有限公司"),
    ("it-food", "307", "意大利餐桌出口", "Tavola Italiana Export", "3101960I01", "意大利餐桌食品贸易(上海)有限公司"),
    ("de-family", "304", "莱茵家庭食品", "Rheinland Family Foods", "3101960D01", "莱茵家庭食品贸易(上海)有限公司"),
    ("au-dairy", "601", "南十字星乳业", "Southern Cross Dairy", "3101960U01", "南十字星乳业贸易(上海)有限公司"),
    ("nz-nature", "609", "奥特亚罗瓦天然", "Aotearoa Natural", "3101960N01", "奥特亚罗瓦天然食品贸易(上海)有限公司"),
]

_P = ("exhibitor", "sku", "name_zh", "name_en", "hs_code", "unit", "legal_unit", "legal_qty",
      "net", "tax", "currency", "amount", "gross_kg", "net_kg", "barcode", "stock")


def _product(*values: Any) -> dict[str, Any]:
    return dict(zip(_P, values, strict=True))


# net = (amount, "ml" | "g" | "sheet"); units: 007 个, 012 支, 122 罐, 125 包, 136 袋, 140 盒, 142 瓶.
PRODUCTS: list[dict[str, Any]] = [
    # Russia
    _product("ru-sweets", "RU-CHOC-GIFT-1000", "俄罗斯牛奶巧克力礼盒 10×100克", "Russian milk chocolate gift box, 10 x 100 g",
             "1806320000", "140", "035", "1", ("1000", "g"), "general", "RUB", "1500", "1.15", "1", "4601234001014", 50000),
    _product("ru-sweets", "RU-KOROVKA-500", "俄罗斯小牛奶糖 500克", "Korovka milk toffee candies, 500 g",
             "1704900000", "136", "035", "0.5", ("500", "g"), "general", "RUB", "600", "0.53", "0.5", "4601234001021", 80000),
    _product("ru-sweets", "RU-BIRDMILK-250", "俄罗斯鸟奶巧克力软糖 250克", "Bird's Milk chocolate souffle candies, 250 g",
             "1806900000", "140", "035", "0.25", ("250", "g"), "general", "RUB", "700", "0.3", "0.25", "4601234001038", 40000),
    _product("ru-sweets", "RU-WAFERCANDY-1000", "俄罗斯巧克力威化夹心糖 1千克", "Chocolate-coated wafer candies, 1 kg",
             "1806900000", "136", "035", "1", ("1000", "g"), "general", "RUB", "1000", "1.05", "1", "4601234001045", 60000),
    _product("ru-honey", "RU-LINDEN-HONEY-500", "阿尔泰椴树蜂蜜 500克", "Altai linden honey, 500 g",
             "0409000000", "122", "035", "0.5", ("500", "g"), "general", "RUB", "1100", "0.75", "0.5", "4605678002019", 10000),
    # Afghanistan
    _product("af-nuts", "AF-PINENUT-CAN-500", "阿富汗开口松子 500克罐装", "Afghan pine nuts in shell, 500 g can",
             "0802910000", "122", "035", "0.5", ("500", "g"), "agricultural", "USD", "18", "0.62", "0.5", None, 120000),
    _product("af-nuts", "AF-PINENUT-KERNEL-250", "阿富汗松子仁 250克", "Afghan pine nut kernels, 250 g",
             "0802920000", "136", "035", "0.25", ("250", "g"), "agricultural", "USD", "14", "0.27", "0.25", None, 30000),
    _product("af-nuts", "AF-RAISIN-GREEN-500", "阿富汗绿葡萄干 500克", "Afghan green raisins, 500 g",
             "0806200000", "136", "035", "0.5", ("500", "g"), "agricultural", "USD", "6", "0.52", "0.5", None, 30000),
    _product("af-nuts", "AF-SAFFRON-2G", "赫拉特藏红花 2克", "Herat saffron, 2 g",
             "0910200000", "140", "035", "0.002", ("2", "g"), "agricultural", "USD", "12", "0.05", "0.002", None, 5000),
    # United Arab Emirates
    _product("ae-camel", "AE-CAMELMILK-400", "阿联酋骆驼奶粉 400克罐装", "Camel milk powder, 400 g can",
             "0402210000", "122", "035", "0.4", ("400", "g"), "general", "AED", "95", "0.55", "0.4", "6291002003012", 20000),
    _product("ae-camel", "AE-DATES-1000", "阿联酋椰枣 1千克", "Khalas dates, 1 kg box",
             "0804100000", "140", "035", "1", ("1000", "g"), "agricultural", "AED", "40", "1.1", "1", "6291002003029", 15000),
    _product("ae-camel", "AE-CAMELCHOC-280", "骆驼奶巧克力 4×70克", "Camel milk chocolate, 4 x 70 g bars",
             "1806320000", "140", "035", "0.28", ("280", "g"), "general", "AED", "60", "0.35", "0.28", "6291002003036", 8000),
    # Japan: face masks sold by the sheet, one box above and one bag below ¥15 per sheet
    _product("jp-beauty", "JP-MASK-PREMIUM-5", "日本高保湿精华面膜 5片装", "Premium hydrating sheet masks, 5 sheets",
             "3304990099", "140", "035", "0.15", ("5", "sheet"), "cosmetics", "JPY", "3500", "0.2", "0.15", "4901234500013", 20000),
    _product("jp-beauty", "JP-MASK-DAILY-30", "日本日常保湿面膜 30片装", "Everyday moisturising sheet masks, 30 sheets",
             "3304990099", "136", "035", "0.45", ("30", "sheet"), "cosmetics", "JPY", "1800", "0.5", "0.45", "4901234500020", 30000),
    _product("jp-beauty", "JP-TOOTHPASTE-140", "日本美白牙膏 140克", "Whitening toothpaste, 140 g",
             "3306101000", "012", "035", "0.14", ("140", "g"), "general", "JPY", "800", "0.17", "0.14", "4901234500037", 20000),
    # Korea
    _product("kr-beauty", "KR-MASK-HYDRO-10", "韩国水凝胶面膜 10片装", "Hydrogel sheet masks, 10 sheets",
             "3304990099", "140", "035", "0.25", ("10", "sheet"), "cosmetics", "KRW", "18000", "0.3", "0.25", "8801234000413", 25000),
    _product("kr-beauty", "KR-BBCREAM-50", "韩国BB霜 50毫升", "BB cream, 50 ml",
             "3304990099", "012", "035", "0.05", ("50", "ml"), "cosmetics", "KRW", "30000", "0.09", "0.05", "8801234000420", 15000),
    _product("kr-beauty", "KR-RAMEN-5X120", "韩国辣拉面 5连包", "Spicy instant ramen, 5 x 120 g",
             "1902303000", "125", "035", "0.6", ("600", "g"), "general", "KRW", "6000", "0.65", "0.6", "8801234000437", 40000),
    # Thailand
    _product("th-farm", "TH-JASMINE-5KG", "泰国茉莉香米 5千克", "Hom Mali jasmine rice, 5 kg",
             "1006301000", "136", "035", "5", ("5000", "g"), "agricultural", "THB", "450", "5.05", "5", "8851234000814", 20000),
    _product("th-farm", "TH-DURIAN-MONTHONG", "泰国金枕榴莲 约3千克", "Fresh Monthong durian, about 3 kg",
             "0810600000", "007", "035", "3", ("3000", "g"), "agricultural", "THB", "1200", "3.3", "3", None, 3000),
    # France: cosmetics above (serum, perfume, lipstick) and below (cream, micellar water) the threshold
    _product("fr-beauty", "FR-SERUM-30", "法国抗初老精华液 30毫升", "Anti-ageing serum, 30 ml",
             "3304990099", "142", "035", "0.03", ("30", "ml"), "cosmetics", "EUR", "58", "0.12", "0.03", "3401234000113", 15000),
    _product("fr-beauty", "FR-CREAM-50", "法国保湿日霜 50毫升", "Moisturising day cream, 50 ml",
             "3304990099", "122", "035", "0.05", ("50", "ml"), "cosmetics", "EUR", "14", "0.15", "0.05", "3401234000120", 20000),
    _product("fr-beauty", "FR-MICELLAR-400", "法国卸妆水 400毫升", "Micellar cleansing water, 400 ml",
             "3304990099", "142", "035", "0.4", ("400", "ml"), "cosmetics", "EUR", "12", "0.45", "0.4", "3401234000151", 20000),
    _product("fr-beauty", "FR-EDP-50", "法国淡香精 50毫升", "Eau de parfum, 50 ml",
             "3303000000", "142", "035", "0.05", ("50", "ml"), "cosmetics", "EUR", "95", "0.3", "0.05", "3401234000137", 5000),
    _product("fr-beauty", "FR-LIPSTICK-35", "法国丝绒口红 3.5克", "Velvet lipstick, 3.5 g",
             "3304100000", "012", "035", "0.0035", ("3.5", "g"), "cosmetics", "EUR", "36", "0.03", "0.0035", "3401234000144", 10000),
    _product("fr-wine", "FR-BORDEAUX-750", "法国波尔多红葡萄酒 750毫升", "Bordeaux red wine, 750 ml",
             "2204210000", "142", "095", "0.75", ("750", "ml"), "wine", "EUR", "25", "1.3", "0.75", "3567890000215", 12000),
    # Italy
    _product("it-food", "IT-EVOO-500", "意大利特级初榨橄榄油 500毫升", "Extra virgin olive oil, 500 ml",
             "1509200000", "142", "035", "0.46", ("500", "ml"), "agricultural", "EUR", "11", "0.95", "0.46", "8001234000516", 20000),
    _product("it-food", "IT-SPAGHETTI-500", "意大利硬质小麦意面 500克", "Durum wheat spaghetti, 500 g",
             "1902190000", "125", "035", "0.5", ("500", "g"), "general", "EUR", "2.5", "0.52", "0.5", "8001234000523", 40000),
    _product("it-food", "IT-ESPRESSO-1000", "意大利浓缩咖啡豆 1千克", "Espresso roasted coffee beans, 1 kg",
             "0901210000", "136", "035", "1", ("1000", "g"), "general", "EUR", "22", "1.05", "1", "8001234000530", 10000),
    # Germany
    _product("de-family", "DE-FORMULA-S2-800", "德国婴儿配方奶粉2段 800克", "Infant formula stage 2, 800 g can",
             "1901101000", "122", "035", "0.8", ("800", "g"), "general", "EUR", "24", "1", "0.8", "4001234000619", 30000),
    _product("de-family", "DE-GUMMYBEARS-1000", "德国小熊水果软糖 1千克", "Fruit gummy bears, 1 kg",
             "1704900000", "136", "035", "1", ("1000", "g"), "general", "EUR", "6", "1.03", "1", "4001234000626", 30000),
    # Australia
    _product("au-dairy", "AU-FORMULA-S1-900", "澳洲婴儿配方奶粉1段 900克", "Infant formula stage 1, 900 g can",
             "1901101000", "122", "035", "0.9", ("900", "g"), "general", "AUD", "45", "1.15", "0.9", "9301234000318", 30000),
    _product("au-dairy", "AU-MILKPOWDER-1000", "澳洲全脂奶粉 1千克", "Full-cream milk powder, 1 kg",
             "0402210000", "136", "035", "1", ("1000", "g"), "general", "AUD", "16", "1.05", "1", "9301234000325", 30000),
    _product("au-dairy", "AU-SHIRAZ-750", "澳洲巴罗萨设拉子红葡萄酒 750毫升", "Barossa Shiraz, 750 ml",
             "2204210000", "142", "095", "0.75", ("750", "ml"), "wine", "AUD", "40", "1.35", "0.75", "9301234000332", 10000),
    _product("au-dairy", "AU-LANOLIN-100", "澳洲绵羊油面霜 100克", "Lanolin cream, 100 g",
             "3304990099", "122", "035", "0.1", ("100", "g"), "cosmetics", "AUD", "15", "0.15", "0.1", "9301234000349", 20000),
    _product("au-dairy", "AU-GUMMIES-60", "澳洲儿童维生素软糖 60粒", "Kids multivitamin gummies, 60 pieces",
             "2106909090", "142", "035", "0.2", ("200", "g"), "general", "AUD", "20", "0.28", "0.2", "9301234000356", 15000),
    # New Zealand: kiwifruit is on a bonded-only line, so it is stocked in the bonded warehouse
    _product("nz-nature", "NZ-MANUKA-250", "新西兰麦卢卡蜂蜜 UMF10+ 250克", "Manuka honey UMF 10+, 250 g",
             "0409000000", "122", "035", "0.25", ("250", "g"), "general", "NZD", "45", "0.4", "0.25", "9401234000711", 10000),
    _product("nz-nature", "NZ-KIWI-1000", "新西兰阳光金奇异果 1千克", "Fresh gold kiwifruit, 1 kg",
             "0810500000", "140", "035", "1", ("1000", "g"), "agricultural", "NZD", "8", "1.1", "1", None, 8000),
    _product("nz-nature", "NZ-MILKPOWDER-1000", "新西兰全脂奶粉 1千克", "Whole milk powder, 1 kg",
             "0402210000", "136", "035", "1", ("1000", "g"), "general", "NZD", "18", "1.05", "1", "9401234000735", 20000),
]

# key, role, e-mail local part, display name, what the account is for, exhibitor key
ACCOUNTS: list[tuple[str, str, str, str, str, str | None]] = [
    ("operator", "operator", "operator", "Expo Operator", "runs the expo: pavilions, shows, FX", None),
    ("host", "host", "host", "Lin Xiao", "main host of both shows", None),
    ("ambassador", "host", "ambassador.af", "Ambassador of Afghanistan", "co-host of the live show", None),
    ("moderator", "moderator", "moderator", "Room Moderator", "moderates the live chat", None),
    ("merchant-ru", "merchant", "merchant.ru", "Volga Confectionery (merchant)", "Russian candy", "ru-sweets"),
    ("merchant-af", "merchant", "merchant.af", "Kabul Pine Nut Co. (merchant)", "Afghan pine nuts", "af-nuts"),
    ("merchant-fr", "merchant", "merchant.fr", "Maison Lumiere (merchant)", "French cosmetics", "fr-beauty"),
    ("buyer", "buyer", "buyer", "Wang Fang", "a buyer in the audience", None),
]

# The demo buyer's real-name identity (provisioned, as if verified), her delivery address, and
# the e-CNY sandbox wallet in the same name (the sandbox's own default wallets) she pays with.
DEMO_BUYER = {"full_name": "王芳", "id_number": "310104198506173217", "phone": "13800138000"}
DEMO_BUYER_ADDRESS = {"name": "王芳", "phone": "13800138000", "address": "上海市徐汇区漕溪北路 88 号",
                      "district_code": "310104"}
DEMO_WALLET = ("0021000000000002", "654321")

# The main host's commission on the goods value of her shows' sales (ambassadors take none).
MAIN_HOST_COMMISSION = "0.05"

# Minutes are relative to the moment of seeding; the first show is started at once.
SHOWS: list[dict[str, Any]] = [
    {
        "key": "silk-road",
        "title": "丝路之夜：俄罗斯糖果与阿富汗松子专场",
        "title_en": "Silk Road Night: Russian candy and Afghan pine nuts",
        "description": "大使连线，秒杀开抢。Ambassadors on air, flash sales from the bonded warehouse.",
        "starts_in_minutes": -15,
        "duration_minutes": 180,
        "live": True,
        "main_host": ("host", "主播", "Host", None),
        "co_hosts": [("ambassador", "阿富汗驻华大使", "Ambassador of Afghanistan", "101")],
        "lineup": ["AF-PINENUT-CAN-500", "RU-CHOC-GIFT-1000", "RU-KOROVKA-500", "AF-PINENUT-KERNEL-250",
                   "RU-BIRDMILK-250", "RU-WAFERCANDY-1000", "AF-SAFFRON-2G", "AF-RAISIN-GREEN-500",
                   "AE-CAMELMILK-400", "AE-DATES-1000", "RU-LINDEN-HONEY-500"],
    },
    {
        "key": "beauty-wine",
        "title": "法澳之夜：美妆与葡萄酒",
        "title_en": "Beauty and wine from France and Australia",
        "description": "法国美妆、日本面膜、澳洲好酒与奶粉。French beauty, Japanese masks, Australian wine.",
        "starts_in_minutes": 240,
        "duration_minutes": 120,
        "live": False,
        "main_host": ("host", "主播", "Host", None),
        "co_hosts": [],
        "lineup": ["FR-SERUM-30", "FR-CREAM-50", "FR-EDP-50", "FR-LIPSTICK-35", "JP-MASK-PREMIUM-5",
                   "JP-MASK-DAILY-30", "FR-BORDEAUX-750", "AU-SHIRAZ-750", "AU-FORMULA-S1-900",
                   "AU-LANOLIN-100"],
    },
]
