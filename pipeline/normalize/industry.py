"""Industry (GB/T 4754-2017): 大类 name, ``门类-大类``, codes (``C39``, ``C3911``,
``C39计算机、通信和其他电子设备制造业``), aliases, vague words, labels spanning several divisions,
unambiguous containment.

Tables: rules/industries.csv (the 97 divisions), industry_classes.csv (GB/T 4754-2017 中类/小类
names), industry_classes_2011.csv (2011 names 2017 dropped), industry_classes_2002.csv (2002 names,
looked up whole only), industry_aliases.csv (one label → one
division), industry_multi.csv (one label → several divisions: 批发/零售), industry_vague.csv,
industry_notes.csv (words of the GB/T notes, for labels nothing else reads), industry_places.csv
(a map's place and shop names, looked up whole: 摄影冲印店, 停车场), industry_heads.csv
(words that decide a compound they end: 塑料鞋 is footwear, IT培训 education;
a compound whose other words hold a head word too is coordinate: 批发零售 stays several).
A label whose parts (split at / 、 和 及 …) name different divisions is ``industry-multi`` with
the candidates as the suggestion, never resolved to one of them. A “你是不是想填…” hint is
given only when the hint shares a meaningful word with the label (环保 is never 保险业). Codes before
names, separators, brackets, level marks and short forms are ``industry_forms.py``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any, Mapping, Sequence

from rapidfuzz import fuzz, process

from ..rules import fold
from .base import Finding, as_text
from .industry_forms import (_AND_END, _CODE, _HIERARCHY, _PEERS, _SECTION, _SEPARATORS, _SOFT, bracket,
                             code_named, uncoded, unmarked, written_out)
from .industry_notes import notes_reading

_LIST_MARKS = re.compile(r"[、，,]")         # between the items of a GB/T 门类 name (农、林、牧、渔业)



@dataclass(frozen=True)
class Industry:
    """``name`` (大类 name or the text kept), ``code`` (``C34``) and ``section`` (门类 name)."""

    name: str | None
    code: str | None = None
    section: str | None = None
    findings: tuple[Finding, ...] = ()
    candidates: tuple[str, ...] = ()        # divisions of an ``industry-multi`` reading ("51", "52")

    @property
    def value(self) -> str | None:
        return self.name

    @property
    def divisions(self) -> tuple[str, ...]:
        """The division read ("34"), or the candidates."""
        return (self.code[1:],) if self.code else self.candidates

    @property
    def certain(self) -> bool:
        return self.code is not None and not self.findings


def _shares_word(a: str, b: str, generic: Sequence[str]) -> bool:
    """``a`` and ``b`` share a two-character word that is not a generic one."""
    return any(a[i:i + 2] in b and a[i:i + 2] not in generic for i in range(len(a) - 1))


@dataclass
class IndustryIndex:
    divisions: dict[str, tuple[str, str, str]] = field(default_factory=dict)   # "34" -> (name, section, section_name)
    names: dict[str, str] = field(default_factory=dict)          # folded 大类 name / alias -> division
    classes: dict[str, str] = field(default_factory=dict)        # folded GB/T 中类/小类 name -> division
    words: dict[str, str] = field(default_factory=dict)          # names, classes, place names (containment)
    multi: dict[str, tuple[str, ...]] = field(default_factory=dict)   # folded label -> divisions
    sections: dict[str, tuple[str, str]] = field(default_factory=dict)  # folded 门类 name / letter -> (letter, name)
    vague: frozenset[str] = frozenset()
    vague_sections: dict[str, tuple[str, str]] = field(default_factory=dict)   # vague word -> its 门类 (建筑 → E)
    heads: dict[str, tuple[str, ...]] = field(default_factory=dict)   # folded head word -> divisions
    head_kinds: dict[str, str] = field(default_factory=dict)   # head word -> activity / product / shop
    head_tails: tuple[str, ...] = ()            # words that may follow a head (IT培训机构, 汽车维修服务)
    max_candidates: int = 6                     # class names of more divisions holding a word name nothing
    ignore_words: tuple[str, ...] = ()          # 的: 纸和纸板容器的制造 is 纸和纸板容器制造
    generic_words: tuple[str, ...] = ()         # words every second division name has (制造, 服务)
    drop_prefixes: tuple[str, ...] = ()         # 其他未列明, 其他: “other X” reads as X
    plain: dict[str, str] = field(default_factory=dict)   # names and class names as ``_plain`` writes them
    equipment_words: tuple[str, ...] = ()       # a class name holding one names equipment (设备, 机械)
    service_tails: tuple[str, ...] = ()         # 服务: after goods words the label is a service around them
    goods_sections: Mapping[str, str] = field(default_factory=dict)   # goods 门类 → its service division (A → 05)
    trade_divisions: tuple[str, ...] = ()       # divisions trading in goods others make (51, 52)
    repair_heads: tuple[str, ...] = ()          # 维修, 修理: read by what is repaired
    repaired_in: Mapping[str, str] = field(default_factory=dict)   # product division → its repair division
    equipment_names: tuple[tuple[tuple[str, str], ...], ...] = ()   # division names, then class names holding one
    field_names: tuple[tuple[tuple[str, str], ...], ...] = ()       # division names, then class names
    near: dict[str, tuple[str, ...]] = field(default_factory=dict)  # a known word with one character blanked → words
    notes: dict[str, tuple[str, ...]] = field(default_factory=dict)   # a word of the GB/T notes → its divisions
    older: dict[str, tuple[str, ...]] = field(default_factory=dict)   # a GB/T 4754-2002 name → 2017 divisions
    places: dict[str, tuple[str, ...]] = field(default_factory=dict)  # a map's place or shop name → its trades
    word_seq: tuple[str, ...] = ()              # names, classes, then multi labels, as ``_words_in`` reads them
    word_grams: dict[str, tuple[int, ...]] = field(default_factory=dict)    # first two characters → positions
    class_seq: tuple[tuple[str, str], ...] = ()   # (class name, division), in table order
    class_grams: dict[str, tuple[int, ...]] = field(default_factory=dict)   # two characters → names holding them
    typo_min_length: int = 0                    # an unknown label this long one character off a name reads as it
    typo_hint_min_length: int = 0               # shorter: a name one character off is not offered as the hint
    abbreviations: Mapping[str, str] = field(default_factory=dict)   # 交运 → 交通运输: an unread label read again
    level_marks: tuple[str, ...] = ()           # folded, longest first: 白酒Ⅱ (白酒ii) is read as 白酒
    goods_endings: tuple[str, ...] = ()         # 品: 保健品, 美容产品 name goods, not the service before them
    place_kinds: tuple[str, ...] = ()           # folded, longest first: venue words (馆, 场, 中心)
    place_stems: dict[str, tuple[str, ...]] = field(default_factory=dict)   # 羽毛球 (of 羽毛球场) → its trades
    head_modifiers: Mapping[str, Mapping[str, tuple[str, ...]]] = field(default_factory=dict)   # 租赁 → 70 → 土地
    goods_tails: tuple[str, ...] = ()           # 制造, 加工: a class name ending in one names goods before it
    equipment_home: Mapping[str, str] = field(default_factory=dict)   # 仪表 → 40: after words naming nothing
    vehicle_divisions: tuple[str, ...] = ()     # 36, 37: a vehicle word before parts names the vehicle's parts
    vehicle_part_makers: tuple[str, ...] = ()   # 33, 34: their goods after a vehicle word are its parts (汽车弹簧 C36)
    vehicle_part_heads: Mapping[str, tuple[str, ...]] = field(default_factory=dict)   # 仪表 → 40: 汽车仪表 C36 or C40
    shop_service_sections: tuple[str, ...] = ()   # 门类 letters: a shop after their service is the service's (干洗店)
    service_shops: tuple[str, ...] = ()         # 店: the shop heads that may be a service's outlet (not 商店)
    negations: tuple[str, ...] = ()             # 非: 非金融机构支付服务 holds no 金融机构
    use_markers: tuple[str, ...] = ()           # 专用: 环境污染处理专用药剂材料制造 makes no 污染处理
    instrument_classes: tuple[str, ...] = ()    # "10": trademark class 10's goods (理疗设备) decide 理疗仪器
    decides_yield: Mapping[str, tuple[str, ...]] = field(default_factory=dict)   # 平台 → J: 借贷平台 is finance
    goods: dict[str, tuple[str, ...]] = field(default_factory=dict)   # goods a class name names → its divisions
    not_goods: tuple[str, ...] = ()             # 抛光, 液压, 白色: parts of goods names, no goods alone
    goods_named: frozenset[str] = frozenset()   # goods a class name names whole: 皮革服装 of 皮革服装制造
    goods_several: dict[str, tuple[str, ...]] = field(default_factory=dict)   # 各种型材 → 31, 32: flagged
    goods_begun: dict[str, tuple[str, ...]] = field(default_factory=dict)     # 输送 → the divisions of 输送机 …
    gear_begun: dict[str, tuple[str, ...]] = field(default_factory=dict)      # 理疗 → of the equipment 理疗设备
    hint: str = "你是不是想填“{name}”"
    no_hint: str = "请填写国民经济行业分类大类名称，例如“{example}”"
    example: str = "通用设备制造业"
    min_score: float = 60
    min_contain: int = 2

    def _found(self, division: str) -> Industry:
        name, letter, section = self.divisions[division]
        return Industry(name, f"{letter}{division}", section)

    def _vague(self, text: str, section: tuple[str, str] | None = None) -> Industry:
        example = self.example
        same = [n for n, letter, _ in self.divisions.values() if section and letter == section[0]]
        if same and example not in same:
            example = same[0]
        return Industry(text, None, section[1] if section else None, (Finding("industry-vague", {"example": example}),))

    def _multi(self, text: str, divisions: Sequence[str]) -> Industry:
        divisions = [d for d in dict.fromkeys(divisions) if d in self.divisions]
        if len(divisions) == 1:
            return self._found(divisions[0])
        letters = {self.divisions[d][1] for d in divisions}
        section = self.divisions[divisions[0]][2] if len(letters) == 1 else None
        names = "、".join(f"{self.divisions[d][0]}（{self.divisions[d][1]}{d}）" for d in divisions)
        return Industry(text, None, section, (Finding("industry-multi", {"candidates": names}),), tuple(divisions))

    def _one(self, key: str) -> tuple[str, ...]:
        """Divisions one label names by itself (exact name, alias, multi label, code)."""
        if key in self.names:
            return (self.names[key],)
        if key in self.classes:
            return (self.classes[key],)
        if key in self.multi:
            return self.multi[key]
        plain = self._plain(key)                    # 纸和纸板容器的制造, 其他开采辅助活动
        if plain != key and plain in self.plain:
            return (self.plain[plain],)
        if key in self.older or plain in self.older:     # 计算机系统服务 (2002), 交通运输设备制造业: 36, 37
            return self.older.get(key) or self.older[plain]
        if key in self.places:                      # 摄影冲印店, 停车场: a map's place names
            return self.places[key]
        m = _CODE.match(key)
        if m and m.group(2) in self.divisions:
            letter = self.divisions[m.group(2)][1]
            if not m.group(1) or m.group(1).upper() == letter:
                return (m.group(2),)
        return ()

    def parse(self, value: Any) -> Industry:
        text = as_text(value)
        if not text:
            return Industry(None)
        key = unmarked(self.level_marks, fold(text))
        found = self._one(key) or self._goods_whole(key)
        if found:
            return self._multi(text, found)
        coded = code_named(self, key)               # C39计算机、通信和其他电子设备制造业
        if coded:
            return self._found(coded[0])
        narrowed = bracket(self, text, key)
        if narrowed:
            return narrowed
        if _SECTION.match(key) or key in self.sections:
            return self._vague(text, self.sections.get(key) or self.sections.get(key.upper()))
        if key in self.vague:
            return self._vague(text, self.vague_sections.get(key))
        bare = next((key[:-len(t)] for t in self.head_tails if key.endswith(t) and key[:-len(t)] in self.vague), "")
        if bare:                                    # 金融服务, 科技公司: a vague word and a tail is vague
            return self._vague(text, self.vague_sections.get(bare))   # (not 货币金融服务 holding it)
        if not _PEERS.search(key):                  # 玻璃、油漆、壁纸商店: one head for the whole list
            head = self._inside(key, self.names) or self._head(key)     # 其他金融 is 其他金融业
            if head:
                return self._multi(text, head)
        shop = _HIERARCHY.split(key, maxsplit=1)[0]     # 音乐商店-乐器、钢琴: the goods the shop sells
        last = max((h for h in self.heads if shop.endswith(h)), key=len, default="")
        sold = self._head(shop) if shop != key and self.head_kinds.get(last) == "shop" else None
        if sold:
            return self._multi(text, sold)
        parts = [q for p in (uncoded(self, p) for p in _SEPARATORS.split(key) if p)   # C 制造业 / C39 …
                 for q in ((p,) if self._known(p) else _SOFT.split(p)) if q]
        if len(parts) > 1:
            found: list[str] = []
            broad: list[str] = []                   # 门类 letters named by a vague part (建筑 → E)
            open_parts = 0                          # parts naming no division (投资, 运输)
            unread: list[str] = []                  # parts naming nothing at all (not even vaguely)
            loose: list[tuple[str, tuple[str, ...]]] = []   # a part, the divisions of class names holding it
            shared = self._shared_modifier(parts[0]) if not _HIERARCHY.search(key) else ""
            typos: list[tuple[str, str, Finding]] = []   # parts one character off a known word
            taken: list[Finding] = []
            for i, part in enumerate(parts):
                section = self.sections.get(part) or self.vague_sections.get(part)
                if section:                         # 批发和零售业-零售业: the 门类, then the 大类
                    broad.append(section[0])
                    continue
                mine = (i and shared and self._one(shared + part)) or (     # 汽车维修/美容: 汽车美容
                    () if part in self.vague else
                    self._one(part) or self._contained(part, whole=False) or self._several_head(part)
                    or self._goods_head(part))
                if not mine and len(part) >= self.typo_min_length > 0:    # 电子/半导体/集体电路
                    fixed, typo = self._typo(part)
                    if typo.code:
                        typos.append((part, typo.code[1:], self._typo_finding(part, fixed, typo)))
                        continue
                if not mine and part not in self.vague:
                    held = self._in_classes(part)       # 绘图服务, 消毒服务: a service around the goods the class
                    loose.append((part, self._goods_service(held) if self._serves_goods(part, held) else held))
                if not mine and part not in self.vague and not loose[-1][1] and not self._noted(part):
                    mine = self.goods_several.get(part, ())      # 五金/灭火器: goods of several divisions
                nothing = not mine and not (loose and loose[-1][1])
                open_parts += nothing
                if nothing and part not in self.vague:
                    unread.append(part)
                found += mine
            for part, candidates in loose:          # a part only class names hold agrees with a
                agree = [d for d in candidates if d in found]                  # division named beside it
                held = agree or (candidates if self._sure(part, candidates) else [])
                if candidates and not held:         # 饮食/烟草: 饮食 only in a C35 name, not taken —
                    unread.append(part)             # unread, and said so
                found += held
            for part, code, typo in typos:          # a guess confirms a division named beside it, or
                if code in found or not found:      # stands alone; else the part is unread
                    found.append(code)
                    taken.append(typo)
                else:
                    open_parts += 1
                    unread.append(part)
            covered = {self.divisions[d][1] for d in found}
            if open_parts and not _HIERARCHY.search(key):
                covered = set()                     # 金融/投资/银行: peers, the 门类 is not narrowed
            extra = [d for d, (_, letter, _) in self.divisions.items() if letter in set(broad) - covered]
            if found and any(self._service_goods(u, found) for u in unread):   # 摄影摄像及配件: goods of
                return Industry(text, None, None, (Finding("industry-unknown", {"hint": self._hint(key)}),))
            if found:                               # 制造业-通用设备制造业 is one; 房地产/建筑 is several
                read = self._multi(text, found + extra)
                if read.code and unread:            # 烟草/XX: answered from the part read, and said so
                    read = replace(read, findings=(*read.findings, Finding(
                        "industry-partial", {"parts": "、".join(unread), "industry": read.name})))
                return replace(read, findings=(*taken, *read.findings)) if taken else read
            if all(p in self.vague or p in self.sections for p in parts):
                return self._vague(text)
        contained = self._contained(key) or self._goods_head(key)
        if contained:
            return self._multi(text, contained)
        fixed, read = self._typo(key)
        if read.code and len(key) >= self.typo_min_length > 0:          # 汽车租凭 → 汽车租赁
            return replace(read, findings=(self._typo_finding(text, fixed, read), *read.findings))
        several = (self._several_head(key) or self._noted(key)    # 计量仪表: words of the GB/T notes
                   or self.goods_several.get(key, ()) or self._goods_head(key, several=True)    # 钢锭: C31
                   or self._equipment_goods(key))                   # 输送设备: the maker of 输送机
        if several:
            return self._multi(text, several)
        written = written_out(self, key)           # 交运设备 → 交通运输设备
        if written:
            return replace(written, name=text) if written.code is None else written
        stem = self._place_stem(key)                # 羽毛球馆: the place name 羽毛球场 with another venue word
        if stem in self.place_stems:
            return self._multi(text, self.place_stems[stem])
        pair = self._side_by_side(key)              # 钢铁有色, 钢铁煤炭: two words, each read on its own
        if pair:
            return self._multi(text, pair)
        hint = (self.hint.format(name=read.name) if read.code and len(key) >= self.typo_hint_min_length
                else self._hint(key))              # 鞋帽城: 鞋业? — but 团购 is no 团委, 院线 no 院校
        return Industry(text, None, None, (Finding("industry-unknown", {"hint": hint}),))

    def _side_by_side(self, key: str) -> tuple[str, ...]:
        """A label nothing reads, written as two words side by side with no separator (钢铁有色,
        钢铁煤炭): both words' divisions — one division is the answer, several are candidates. Each
        word is a name, alias, class name, multi label or place name whole (钢铁 C31), or begins GB/T
        names (``_begins_classes``: 有色 → B09, C32, C33), as a field or goods word does; a word only
        ending them is an activity, read by the head rules or not at all (电影制作, 游戏开发, 市场研究),
        and neither word is a head, tail, generic, vague or venue word (汽车服务, 医药商业: a modifier
        and a head). Each has ``min_contain`` characters, and the label is cut one way only."""
        if _SEPARATORS.search(key) or _SOFT.search(key) or len(key) < 2 * self.min_contain:
            return ()
        cuts = []
        for i in range(self.min_contain, len(key) - self.min_contain + 1):
            halves = (key[:i], key[i:])
            if any(h in self.heads or h in self.vague or h in self.generic_words or h in self.head_tails
                   or h in self.place_kinds for h in halves):
                continue
            reads = [self._one(h) or self._begins_classes(h) for h in halves]
            if all(reads):
                cuts.append(tuple(dict.fromkeys(d for r in reads for d in r)))
        return cuts[0] if len(cuts) == 1 and len(cuts[0]) <= self.max_candidates else ()

    def _goods_whole(self, key: str) -> tuple[str, ...]:
        """The division of goods the label is whole: a class name's goods whole, as sure as the name (合成橡胶
        of 合成橡胶制造 C26, not 橡胶's C29; 皮革服装 C19), and other goods (a list item of a class name, the
        trademark goods) unless the readings of several divisions read the label so (空调设备: 制冷、空调设备
        C34 or 家用空气调节器 C38): such goods never turn a flagged label into an answer."""
        found = self.goods.get(key, ())
        if found and len(key) > self.min_contain and self._vehicle_part(key[:-self.min_contain], found) != found:
            return self._vehicle_part(key[:-self.min_contain], found)   # 汽车发动机凸轮轴: a car part, C36
        if not found or key in self.goods_named:
            return found
        several = self._contained(key) or self._several_head(key) or self._noted(key)
        return several if len(several) > 1 else found

    def _vehicle(self, modifier: str) -> str:
        """The vehicle division (``vehicle_divisions``) of the longest word beginning ``modifier`` that reads as one
        (汽车 of 汽车发动机 → 36), else ""."""
        for i in range(len(modifier), self.min_contain - 1, -1):
            read = self._one(modifier[:i])
            if len(read) == 1 and read[0] in self.vehicle_divisions:
                return read[0]
        return ""

    def _vehicle_part(self, modifier: str, found: tuple[str, ...]) -> tuple[str, ...]:
        """Goods of the parts makers (``vehicle_part_makers``: 弹簧, 凸轮轴 C34) after a vehicle word are the vehicle's
        parts, made in its division (汽车弹簧, 汽车发动机凸轮轴 → 3670 汽车零部件及配件制造 C36); else ``found``."""
        if not found or not set(found) <= set(self.vehicle_part_makers):
            return found
        vehicle = self._vehicle(modifier)
        return (vehicle,) if vehicle else found

    def _goods_head(self, key: str, several: bool = False) -> tuple[str, ...]:
        """The division of the goods a GB/T class name names (``goods``) that end the label, with only
        modifiers before them (印刷油墨 → 油墨 of 油墨及类似产品制造 C26, 化学助剂 → 助剂 C26): the last goods
        word decides the compound, as a head word does. Goods of several divisions, or a word that reads
        otherwise by itself, decide nothing (a tail after the goods is dropped first: 糖果制品); goods the
        trademark table gives several named divisions (``goods_several``: 汽车零部件 C36 or C37) give them all as
        candidates, to be flagged, when ``several`` (a last resort: 铁矿石 is the notes' B08 first) and the words
        before them name no other division (橡胶气囊)."""
        for rest in (key, *(key[:-len(t)] for t in self.head_tails if key.endswith(t) and len(key) > len(t))):
            for i in range(1, len(rest) - self.min_contain + 1):
                found = self._vehicle_part(rest[:i], self.goods.get(rest[i:], ()))
                if found:                           # 汽车弹簧: a vehicle's part
                    return found if len(found) == 1 else ()
                named = self.goods_several.get(rest[i:], ()) if several else ()
                if named:                           # 橡胶气囊: 橡胶 names C29, not a modifier of 气囊's 36, 37
                    before = self._one(rest[:i])
                    return () if before and not set(before) <= set(named) else named
        return ()

    def _equipment_goods(self, key: str) -> tuple[str, ...]:
        """An equipment head (kind equipment: 设备, 机械, 仪) after words no GB/T name reads that begin goods
        (``goods_begun``: 输送 of 输送机 C34, 缝纫 of 缝纫机 C35): the divisions of those goods the head allows,
        up to ``max_candidates`` — a last resort, after every other reading (农用机械 stays the typo reading)."""
        kind = self.head_kinds
        head = max((h for h in self.heads if kind.get(h) == "equipment" and key.endswith(h)
                    and len(key) - len(h) >= self.min_contain), key=len, default="")
        if not head:
            return ()
        modifier = key[:-len(head)]
        found = tuple(d for d in self.goods_begun.get(self._plain(modifier), ()) if d in self.heads[head])
        if self._one(modifier) or self._words_in(modifier):     # 汽车仪表, 农业仪器 (were C35): words that name
            home = self.equipment_home.get(head, "")             # something begin goods of other makers too; only
            found = (home,) if home in found else ()             # the instrument maker's are taken (生物仪器 C40)
        return found if len(found) <= self.max_candidates else ()

    def _begins_classes(self, word: str) -> tuple[str, ...]:
        """Divisions of the GB/T division and class names beginning with ``word`` (有色 → 有色金属矿采选业,
        有色金属冶炼…, 有色金属铸造), up to ``max_candidates``, when at least two names begin with it; names
        of divisions trading in goods (``trade_divisions``) are not counted (鞋帽 of 鞋帽批发 names the
        goods), and a word one name begins is no field (网络 of 网络借贷服务)."""
        held = (*((fold(n), d) for d, (n, _, _) in self.divisions.items()),     # 煤炭开采和洗选业, 煤炭加工
                *(self.class_seq[i] for i in self.class_grams.get(word[:2], ())))
        names = {n: d for n, d in held if n.startswith(word) and d not in self.trade_divisions}
        found = tuple(dict.fromkeys(names.values()))
        return found if len(names) >= 2 and len(found) <= self.max_candidates else ()

    def _place_stem(self, key: str) -> str:
        """``key`` without the venue word ending it (``place_kinds``), when at least ``min_contain``
        characters are left (羽毛球馆 → 羽毛球; 茶馆 keeps no stem), else ""."""
        kind = next((k for k in self.place_kinds if key.endswith(k) and len(key) - len(k) >= self.min_contain), "")
        return key[:-len(kind)] if kind else ""

    @staticmethod
    def _typo_finding(part: str, word: str, read: Industry) -> Finding:
        return Finding("industry-typo", {"part": part, "word": word, "industry": read.name})

    def _typo(self, key: str) -> tuple[str, Industry]:
        """The known word one character off ``key`` (a wrong character: 租凭, 体统集成) and its
        reading, when every such word reads the same; else ``("", Industry(None))``. A character
        inside a word the reader knows is no wrong one unless that word reads as the fix does
        (电竞运营 is no 电信运营: 电竞 is R90; 通信运营 is 电信运营, 通信 naming I63 too)."""
        spans = [(key.find(w), key.find(w) + len(w), set(self.multi.get(w) or (self.words[w],)))
                 for w in self._words_in(key)]
        near = {(i, w) for i in range(len(key)) for w in self.near.get(key[:i] + "\0" + key[i + 1:], ())}
        reads = {w: self.parse(w) for w in sorted({w for _, w in near})}
        reads = {w: r for w, r in reads.items() if any(
            all(not a <= i < b or known & set(r.divisions) for a, b, known in spans) for i, v in near if v == w)}
        if not reads or len({r.divisions for r in reads.values()}) != 1:
            return "", Industry(None)
        word = min(reads, key=lambda w: (bool(reads[w].findings), w))
        return word, reads[word]

    def _several_head(self, key: str) -> tuple[str, ...]:
        """An activity head of several divisions after words that name nothing still gives them
        as candidates (门对门销售 → F51 + F52, flagged), and so does an equipment word reading several
        makers itself (重型机械 → C34 + C35); a head of one division names nothing there (外星贸易)."""
        for rest in (key, *(key[:-len(t)] for t in self.head_tails if key.endswith(t) and len(key) > len(t))):
            head = max((h for h in self.heads if rest.endswith(h) and len(rest) > len(h)), key=len, default="")
            if head and self.head_kinds.get(head) == "activity" and len(self.heads[head]) > 1:
                return self.heads[head]
            if head and len(self._one(head)) > 1:
                return self._one(head)
        return ()

    def _noted(self, key: str) -> tuple[str, ...]:
        """Divisions the words of the GB/T 4754 notes give a label they cover whole (industry_notes.py)."""
        return notes_reading(self, key) if self.notes else ()

    def _shared_modifier(self, first: str) -> str:
        """The modifier of a first peer ending in a head word (汽车 of 汽车维修): later peers may
        be that modifier's too (汽车维修/保养/美容 is 汽车保养, 汽车美容)."""
        head = max((h for h in self.heads if first.endswith(h) and len(first) > len(h)), key=len, default="")
        modifier = first[:-len(head)] if head else ""
        return modifier if modifier and self._names_something(modifier) else ""

    def _plain(self, key: str) -> str:
        """``key`` without the words ``ignore_words`` lists (的) and a leading ``drop_prefixes``
        word (其他, 其他未列明): older class wording and “other X” read as X."""
        for w in self.ignore_words:
            key = key.replace(w, "")
        prefix = next((p for p in self.drop_prefixes if key.startswith(p) and len(key) > len(p) + 1), "")
        return key[len(prefix):]

    def _known(self, key: str) -> bool:
        return key in self.names or key in self.classes or key in self.multi or key in self.sections or key in self.vague

    def _head(self, key: str) -> tuple[str, ...]:
        """Divisions of the head word ending a compound (塑料鞋 → 鞋, IT培训机构 → 培训). A head
        after a word of its own kind is coordinate and names none (批发零售, 仓储物流: several);
        an activity word before a shop or institution decides (家电维修店), any other word
        before a shop is what it sells (鞋店, 家用电器商店); 外星贸易 names no trade."""
        tails = [t for t in self.head_tails if key.endswith(t) and len(key) > len(t)]
        kind = self.head_kinds
        for rest in (key, *(key[:-len(t)] for t in tails)):
            if rest != key and self._one(rest):          # 工程咨询服务: 工程咨询 is a name, 咨询 no head
                named = self._one(rest)
                if self._service_goods(key[len(rest):], named):    # 保健用品 is no 保健服务
                    return ()
                return self._goods_service(named, around=True) if self._serves_goods(key, named) else named
            head = max((h for h in self.heads if rest.endswith(h) and len(rest) > len(h)), key=len, default="")
            if not head or kind.get(head) == "shop" and any(
                    rest.endswith(w) and len(w) > len(head) for w in (*self.words, *self.multi)):
                continue                                # 旅游酒店: 酒店 is a word, not a 店 selling 酒
            modifier = rest[:-len(head)]
            if _AND_END.search(modifier):
                return None                             # 酒店及餐饮: a peer joined by 及, not a modifier
            kept = self._modified(head, modifier)
            if kept:                                    # 土地租赁, 房产租赁: K70, not the goods rental L71
                return kept
            if kind.get(head) == "around":              # 汽车相关: making, selling and repairing cars
                return self._around(modifier, self.heads[head])
            if kind.get(head) in ("office", "decides"):  # 公安局, 发改委: a government office, whatever it
                if len(modifier) < self.min_contain:    # administers; 直播平台 an internet platform; 邮局,
                    return None                         # 药局 are none; 借贷消费平台 is finance (decides_yield)
                return self._yielded(head, modifier) or self.heads[head]
            vehicle = self._vehicle(modifier) if head in self.vehicle_part_heads else ""
            if vehicle:                                 # 汽车仪表: the car's part (3670) or the instrument maker's
                return (vehicle, *self.vehicle_part_heads[head])   # 4022 运输设备用计数仪表: flagged
            if kind.get(head) in ("equipment", "parts", "field"):  # 电力设备, 铁路建设: the field's maker or builder
                home = self.equipment_home.get(head, "")
                if home and self._used_in(modifier, home):   # 农业仪器, 渔业仪器: 农林牧渔专用仪器仪表 C40, not the
                    return (home,)                           # farm or fishery machinery maker's C35
                made = self._equipment(modifier, self.heads[head], kind[head] != "field", kind[head] == "parts")
                if not made and home and len(modifier) >= self.min_contain and not self._one(modifier) \
                        and not self._words_in(modifier):   # 流量仪表, 气体分析仪: the instrument maker C40, unless
                    begun = [d for d in self.gear_begun.get(self._plain(modifier), ()) if d in self.heads[head]]
                    return (begun[0],) if len(begun) == 1 else (home,)   # the equipment the words begin is
                return made                             # another maker's only (理疗仪器 → 理疗设备 C35)
            inner = [h for h in self.heads if h in modifier]
            if kind.get(head) == "shop":                # 家电维修店; 裁缝、修补、改衣店: a listed activity
                acts = [max((h for h in inner if item.endswith(h) and kind.get(h) == "activity"), key=len, default="")
                        for item in _SOFT.split(modifier)]
                acts = [a for a in acts if a]
                if acts:
                    return tuple(dict.fromkeys(d for a in acts for d in self.heads[a]))
                served = self._served(modifier) if head in self.service_shops else ()
                return served or self.heads[head]        # 干洗店 O80: a service's outlet (宠物商店 sells)
            peers = [h for h in inner if kind.get(h) == kind.get(head)]
            if peers:                                   # 商业贸易, 检测维修: coordinate, several
                peers = [h for h in peers if not any(h != g and h in g for g in peers)] + [head]
                return tuple(dict.fromkeys(d for h in peers for d in self.heads[h]))
            if not self._names_something(modifier):
                return None
            if head in self.repair_heads:               # 电脑维修 O81, 船舶维修 C43
                return self._repair(modifier, self.heads[head])
            return self._trade_in(modifier, self.heads[head])
        return None

    def _served(self, modifier: str) -> tuple[str, ...]:
        """The service the words before a shop end in (the longest last word a name, alias or GB/T notes word reads:
        干洗 O8030 洗染服务, 喷漆 of 汽车喷漆 O8111, 美发 O80), when all its divisions are of ``shop_service_sections``
        (干洗店 is the dry cleaner's, not a shop selling 干洗); goods or anything else: () (鞋店, 报刊店 sell)."""
        for i in range(len(modifier) - self.min_contain + 1):
            read = self._one(modifier[i:]) or self.notes.get(modifier[i:], ())
            if read:
                services = all(self.divisions[d][1] in self.shop_service_sections for d in read if d in self.divisions)
                return read if services else ()
        return ()

    def _yielded(self, head: str, modifier: str) -> tuple[str, ...]:
        """The divisions the words before a deciding head read as, when all are of the 门类 ``decides_yield`` gives the
        head (平台 → J: 支付平台 J69, 贷款平台 J66 — GB/T puts online payment and lending in J, not I643 互联网平台); the
        class names holding the words count, and a modifier of two two-character words the names of one division
        hold both (借贷消费: 网络借贷服务, 消费金融公司服务 → J66); vague words naming such a 门类 give its divisions, to be
        flagged (金融综合平台 → J66–J69); else () (电商平台, 交易平台, 综合平台 stay I64)."""
        sections = self.decides_yield.get(head, ())
        if not sections:
            return ()
        rest, named = modifier, set()               # 金融综合平台, 金融服务平台: finance of no division said —
        for v in sorted((*self.vague, *self.head_tails), key=len, reverse=True):   # the section's divisions
            if v in rest:
                rest = rest.replace(v, "")
                named |= {self.vague_sections[v][0]} if v in self.vague_sections else set()
        if not rest:
            found = tuple(d for d, (_, letter, _) in self.divisions.items() if letter in named & set(sections))
            return found if len(found) <= self.max_candidates else ()
        read = (self._one(modifier) or self._goods_whole(modifier) or self._contained(modifier)   # 保险丝平台:
                or self._class_word(modifier)[0])                                                 # goods, C38
        if not read and len(modifier) == 2 * self.min_contain:
            halves = [set(self._class_word(h)[0]) for h in (modifier[:self.min_contain], modifier[self.min_contain:])]
            read = tuple(sorted(halves[0] & halves[1]))
        return read if read and all(
            d in self.divisions and self.divisions[d][1] in sections for d in read) else ()

    def _used_in(self, modifier: str, home: str) -> bool:
        """The modifier reads as divisions of one 门类 whose name (农、林、牧、渔业: 农林牧渔) begins a part of an equipment
        class name of ``home``: GB/T 402 names special instruments by the section using them (农林牧渔专用仪器仪表制造
        C4024), so 农业仪器 is no farm machinery maker's."""
        read = self._one(modifier)
        letters = {self.divisions[d][2] for d in read if d in self.divisions}
        if len(letters) != 1:
            return False
        word = _LIST_MARKS.sub("", letters.pop()).removesuffix("业")
        return len(word) >= self.min_contain and word not in self.generic_words and any(   # 制造 of 制造业: none
            d == home and f"|{word}" in name for table in self.equipment_names for name, d in table)

    def _modified(self, head: str, modifier: str) -> tuple[str, ...]:
        """The division ``head_modifiers`` gives a head after one of its words (土地租赁, 楼盘租赁 → K70
        房地产租赁经营: 租赁业 L71 rents goods), or after a modifier reading as that division by itself
        (房产 K70); else ()."""
        plain = self._plain(modifier)
        for division, words in self.head_modifiers.get(head, {}).items():
            if any(plain.endswith(w) for w in words) or self._one(plain) == (division,):
                return (division,)
        return ()

    def _around(self, modifier: str, trades: tuple[str, ...]) -> tuple[str, ...] | None:
        """Everything around what the modifier names (a head of kind ``around``: 相关): its own
        divisions, and for goods (``goods_sections``) the trades in them and where GB/T repairs them
        (汽车相关 → C36, F51, F52, O81; 教育相关 → P83); nothing when the modifier is no name, alias
        or class name itself (国防相关: 国防 is only inside class names)."""
        read = self._one(modifier) or self._contained(modifier, whole=False)
        if not read:
            return None
        if all(self.divisions[d][1] in self.goods_sections for d in read if d in self.divisions):
            read = (*read, *trades, *(self.repaired_in[d] for d in read if d in self.repaired_in))
        return tuple(dict.fromkeys(read))

    def _repair(self, modifier: str, divisions: tuple[str, ...]) -> tuple[str, ...]:
        """The repair division for what is repaired: GB/T names of the head's divisions holding the
        modifier (船舶 → 船舶修理 C43, 家具 → 家具和相关物品修理 O81), else where the products of the
        modifier's division are repaired (``industry.repaired_in``: 电脑 C39 → O81, 机械 C34 → C43);
        neither narrows: both stay (家电维修店, 设备维修)."""
        found = self._equipment(modifier, divisions, equipment=False)
        if len(found) == 1:
            return found
        read = self.parse(modifier).divisions
        mapped = {self.repaired_in.get(d, "") for d in read}
        if read and len(mapped) == 1 and mapped <= set(divisions):
            return (mapped.pop(),)
        return divisions

    def _trade_in(self, modifier: str, divisions: tuple[str, ...]) -> tuple[str, ...]:
        """A trade head (``trade_divisions``: 直销, 批发) after words naming only services is no
        trade in goods: both stay candidates (旅游相关服务直销 → F52 + L72, flagged)."""
        if not set(divisions) <= set(self.trade_divisions):
            return divisions
        named = [d for w in self._words_in(modifier) for d in (self.multi.get(w) or (self.words[w],))]
        if named and all(self.divisions[d][1] not in self.goods_sections and d not in self.trade_divisions
                         for d in named if d in self.divisions):
            return tuple(dict.fromkeys((*divisions, *named)))
        return divisions

    def _equipment(self, modifier: str, allowed: Sequence[str], equipment: bool = True,
                   parts: bool = False) -> tuple[str, ...]:
        """Divisions (of ``allowed``) whose class names hold the modifier and an equipment word
        (纺织服装设备 → 纺织、服装和皮革加工专用设备制造 C35, 半导体设备 → 半导体器件专用设备制造 C35,
        not the chips' C39), else the modifier's own reading among them (通信设备 → C39; a modifier
        naming several makers keeps them: 机电设备 → C34, C38). A ``parts`` head (零部件) is made in its
        product's own division first (电子零部件 C39, not the electronics equipment maker C35). One is the answer, up to
        ``max_candidates`` are candidates (印刷包装机械 → C34, C35); none leaves the compound
        unread (农用机械, 高压设备), never answered from the equipment word alone. A ``field`` head
        (建设, 施工) reads the same way from any class name of its divisions (铁路建设 → 铁路工程建筑 E48)."""
        plain = self._plain(modifier)
        found: list[str] = []
        for w in self._fields(plain, allowed, equipment):
            mine = [d for d in self._one(w) if d in allowed]     # 机电: several makers named already; a
            first = mine and (parts or w in self.multi)          # part is made in its product's division
            found += mine if first else self._equipment_classes(w, allowed, equipment) or mine
        found = list(dict.fromkeys(found))
        return tuple(found) if 0 < len(found) <= self.max_candidates else ()

    def _fields(self, plain: str, allowed: Sequence[str], equipment: bool) -> list[str]:
        """The modifier whole when it reads, else the known words inside it, else its two halves
        (印刷包装 → 印刷, 包装)."""
        def reads(w: str) -> bool:
            return any(d in allowed for d in self._one(w)) or bool(self._equipment_classes(w, allowed, equipment))
        if reads(plain):
            return [plain]
        words = [w for w in self._words_in(plain) if w != plain and reads(w)
                 and w not in self.equipment_words]        # 机械量仪表: 机械 there is no field of 仪表
        if not words and len(plain) == 2 * self.min_contain:
            words = [w for w in (plain[:self.min_contain], plain[self.min_contain:]) if reads(w)]
        return words

    def _equipment_classes(self, word: str, allowed: Sequence[str], equipment: bool = True) -> list[str]:
        """Divisions of the equipment division names (通用设备制造业) holding ``word``, else of the
        equipment class names (any division or class name for a ``field`` head)."""
        if len(word) < self.min_contain:
            return []
        for table in self.equipment_names if equipment else self.field_names:
            # equipment: a part of the name begins with the word, else (a word with no reading of its
            # own) the name holds it — 风电 is not in 家用通风电器具; a field head: the name holds it
            for whole in ((False, True)[:1 if self._one(word) else 2] if equipment else (True,)):
                found = list(dict.fromkeys(d for name, d in table if d in allowed and (
                    word in name.replace("|", "") if whole else f"|{word}" in name)))
                if found:
                    return found
        return []

    def _words_in(self, text: str) -> list[str]:
        """Known names, aliases and class words inside ``text``, longest first, not overlapping."""
        at = sorted({i for j in range(len(text) - 1) for i in self.word_grams.get(text[j:j + 2], ())})
        hits = sorted((k for k in (self.word_seq[i] for i in at) if k in text), key=len, reverse=True)
        taken: list[tuple[int, int]] = []
        chosen: list[tuple[int, str]] = []
        for k in hits:
            start = text.find(k)
            span = (start, start + len(k))
            if not any(span[0] < b and a < span[1] for a, b in taken):
                taken.append(span)
                chosen.append((start, k))
        return [k for _, k in sorted(chosen)]

    def _names_something(self, text: str) -> bool:
        """``text`` is, or holds, a known name, alias or class word (IT, 塑料, 医药)."""
        return bool(self._one(text)) or text in self.vague or any(
            k in text for k in (*self.words, *self.multi) if len(k) >= self.min_contain) or bool(self._in_classes(text))

    def _contained(self, key: str, whole: bool = True) -> tuple[str, ...]:
        """The head word's divisions (``_head``), else divisions whose names or aliases the text
        contains, longest words only (医疗器械 hides 医疗), or the one division whose name
        contains the text."""
        inside = self._inside(key, self.names)      # 其他金融 is 其他金融业, not a compound
        head = inside or self._head(key)
        if head is not None:                        # () : an equipment head whose field is not read
            return head
        words, multi = self.words, self.multi
        chosen = [(key.find(k), k) for k in self._words_in(key)]     # longest words first (房地产中介服务业)
        end = max(key.find(k) + len(k) for _, k in chosen) if chosen else 0
        beside = self._vague_fields(key[:min(i for i, _ in chosen)]) if whole and chosen else ()
        if beside:                                  # 科技文教旅游: fields side by side, not 旅游's L72 alone
            return tuple(dict.fromkeys((*beside, *(d for _, k in chosen for d in (multi.get(k) or (words[k],))))))
        if whole and chosen and not self._head_read(key, end):
            rest = self._one(key[end:]) or self._inside(key[end:], self.names)    # 运营商增值服务: the
            read = {d for _, k in chosen for d in (multi.get(k) or (words[k],))}  # rest names the same
            if len(rest) == 1 and rest[0] in read:
                return rest
            found = self._in_classes(key) if len(key) > self.min_contain else ()
            return found                            # 汽车用品: the words read are modifiers
        single = {words[k] for _, k in chosen if k not in multi}
        divisions = tuple(dict.fromkeys(d for _, k in sorted(chosen) for d in (        # 医药生物: 生物 agrees
            [m for m in multi[k] if m in single] or multi[k] if k in multi else (words[k],))))
        if chosen and self._service_goods(key[end:], divisions):   # 保健品 (of 保健品/滋补品) is no
            return ()                                               # O80 保健服务
        if divisions and self._serves_goods(key, divisions):     # 汽车服务 is no car making; 采掘服务
            return self._goods_service(divisions, around=True)    # is mining's own service (B11)
        if divisions or not whole:
            return divisions
        found, word = self._class_word(key)         # 轨道交通: one alias before many class names
        if found and self._serves_goods(key, found):               # 诊断服务 is no 诊断设备 making
            return self._goods_service(found)
        return found if self._sure(word, found) or self._held_often(word, key) else self._starts_classes(key)

    def _vague_fields(self, before: str) -> tuple[str, ...]:
        """The divisions of a field listed after a vague word in the unread words before the words a label
        holds (科技文教 of 科技文教旅游: 文教 after 科技), which the label names beside those words; none when
        the words after the vague word name nothing of their own (智能科技, 网络科技: a kind of 科技, and
        智能科技软件开发 is 软件开发's I65). At least two words' length, the vague word of two characters or more."""
        before = self._plain(before)                # 其他技能培训: 其他 is no field
        if len(before) < 2 * self.min_contain:
            return ()
        at = [before.find(v) + len(v) for v in self.vague if len(v) >= self.min_contain and v in before]
        rest = before[min(at):] if at else ""
        for v in sorted(self.vague, key=len, reverse=True):
            rest = rest.replace(v, "") if len(v) >= self.min_contain else rest
        return (self._one(rest) or self._starts_classes(rest)) if rest else ()

    def _starts_classes(self, key: str) -> tuple[str, ...]:
        """The one division whose class names begin with a short word (涤纶 → 涤纶纤维制造,
        黄酒 → 黄酒制造); a short word only inside class names does not name them (网络借贷服务), nor
        do the names of divisions trading in goods (``trade_divisions``: 粮油零售 sells 粮油)."""
        found = {d for name, d in self.classes.items() if name.startswith(key) and d not in self.trade_divisions}
        return tuple(found) if len(key) >= self.min_contain and len(found) == 1 else ()

    def _serves_goods(self, key: str, divisions: Sequence[str]) -> bool:
        """A service word ending a compound whose words name only goods-producing divisions
        (``service_tails`` after ``goods_sections``: 汽车服务, 农业服务): the service around the goods
        is not their making or growing, and the words read do not name it."""
        if not any(key.endswith(t) and len(key) > len(t) for t in self.service_tails):
            return False
        return all(self.divisions[d][1] in self.goods_sections for d in divisions if d in self.divisions)

    def _service_goods(self, rest: str, divisions: Sequence[str]) -> bool:
        """What follows the words read is a goods ending (``goods_endings``: 保健品, 保健用品) and the
        words name services only (no goods section, no trade): the label names goods, not the
        service (软件产品, 保险产品 are the service's own products: 产品 is no goods ending)."""
        return bool(divisions) and rest in self.goods_endings and all(
            self.divisions[d][1] not in self.goods_sections and d not in self.trade_divisions
            for d in divisions if d in self.divisions)

    def _goods_service(self, divisions: Sequence[str], around: bool = False) -> tuple[str, ...]:
        """The service division of the one goods section the words name (``goods_sections``:
        A → A05 农林牧渔专业及辅助性活动, B → B11 开采专业及辅助性活动). C has none: goods a known
        word names (``around``) whose repair GB/T places (``repaired_in``) are served by selling or
        repairing them, both candidates (汽车服务 → F51, F52, O81); else nothing is read."""
        letters = {self.divisions[d][1] for d in divisions if d in self.divisions}
        service = self.goods_sections.get(letters.pop(), "") if len(letters) == 1 else ""
        if service in self.divisions:
            return (service,)
        repaired = [self.repaired_in[d] for d in divisions if d in self.repaired_in]
        if not around or not repaired:
            return ()
        return tuple(dict.fromkeys((*self.trade_divisions, *repaired)))   # 汽车服务: selling or repairing

    def _sure(self, key: str, found: Sequence[str]) -> bool:
        """Class names of one division holding a two-character word do not name it (网络 is in
        网络借贷服务 only); several divisions are candidates, a longer word is that division."""
        return len(found) > 1 or len(key) > self.min_contain

    def _held_often(self, word: str, key: str) -> bool:
        """A short word the text holds before a tail reads as the division of the class names holding
        it when several names hold it (宗教机构: 宗教组织, 宗教团体服务 …) or one holds the tail too
        (防水材料: 防水建筑材料制造) — a generic tail (服务) is none: 网络服务 is no 网络借贷服务; 福利机构 is no
        福利彩票服务, 中央机构 no 中央银行服务."""
        tail = key[len(word):]
        names = {n for n, _ in (self.class_seq[i] for i in self.class_grams.get(word[:2], ())) if self._held(word, n)}
        return len(names) > 1 or word != key and tail not in self.generic_words and any(tail in n for n in names)

    def _head_read(self, key: str, end: int) -> bool:
        """The words read end the text, or only tails and vague words follow them (塑料制品,
        汽车零部件服务): the head of the compound was read (not in 汽车用品, 电力设备)."""
        rest = key[end:]
        for w in sorted({*self.head_tails, *self.vague}, key=len, reverse=True):
            rest = rest.replace(w, "")
        return not _SEPARATORS.sub("", rest)

    def _in_classes(self, key: str) -> tuple[str, ...]:
        """Divisions of the GB/T 4754 class names holding the text (客运服务 → 铁路/公路/水上/航空
        旅客运输): one is the answer, up to ``max_candidates`` are candidates, more name nothing."""
        return self._class_word(key)[0]

    def _class_word(self, key: str) -> tuple[tuple[str, ...], str]:
        """``_in_classes`` and the word the class names hold: the text, or the text without a tail
        (福利机构 is found through 福利, in 福利彩票服务 only — a two-character word ``_sure`` does not take)."""
        for k in (key, *(key[:-len(t)] for t in self.head_tails if key.endswith(t))):
            if len(k) < self.min_contain or k in self.generic_words:
                continue
            found = tuple(dict.fromkeys(d for name, d in (self.class_seq[i] for i in self.class_grams.get(k[:2], ()))
                                        if k in name and self._held(k, name)))
            if 0 < len(found) <= self.max_candidates:
                return found, k
        return (), key

    def _held(self, word: str, name: str) -> bool:
        """``name`` holds ``word`` other than right after a negation (``negations``: 非金融机构支付服务 names no 金融机构,
        非货币银行服务 no 货币银行: 金融机构-自动现金服务 was J69) or right before a use marker (``use_markers``:
        环境污染处理专用药剂材料制造 makes goods for 污染处理, it does not treat pollution: 污染处理 was C26)."""
        for n in self.negations:
            name = name.replace(n + word, "")
        for m in self.use_markers:                  # 污染处理 of 环境污染处理专用药剂材料制造 is what the goods are
            name = name.replace(word + m, "")       # for, not what the class does
        return word in name

    def _inside(self, key: str, table: Mapping[str, str]) -> tuple[str, ...]:
        """The one division whose names in ``table`` contain ``key``."""
        if len(key) < self.min_contain + 1:
            return ()
        other = any(key.startswith(p) for p in self.drop_prefixes)     # 服装及其他纤维制品: 其他 is 服装's
        inside = {d for k, d in table.items() if (k.startswith(key) if other else key in k)
                  and key not in self._objects(k, d)}
        return tuple(inside) if len(inside) == 1 else ()

    def _objects(self, name: str, division: str) -> str:
        """What a GB/T division name ending in an activity head (and tails) lists as the activity's
        objects (机动车、电子产品和日用产品 of 机动车、电子产品和日用产品修理业): a label found there names
        the objects, not the activity (电子产品 is no repair); "" for aliases (K12教育) and other names."""
        if division not in self.divisions or fold(self.divisions[division][0]) != name:
            return ""
        rest = name
        for t in self.head_tails:
            if rest.endswith(t) and len(rest) > len(t):
                rest = rest[:-len(t)]
                break
        head = max((h for h in self.heads if rest.endswith(h) and self.head_kinds.get(h) == "activity"),
                   key=len, default="")
        return rest[:-len(head)] if head else ""

    def _hint(self, key: str) -> str:
        choices = [n for n, _, _ in self.divisions.values() if _shares_word(key, n, self.generic_words)]
        best = process.extractOne(key, choices, scorer=fuzz.partial_ratio) if choices else None
        if best and best[1] >= self.min_score:
            return self.hint.format(name=best[0])
        return self.no_hint.format(example=self.example)
