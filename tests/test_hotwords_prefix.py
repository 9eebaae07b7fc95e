"""Hot words segment with only the dictionary entries a month's texts can meet
(pipeline/analysis.py, _PrefixTable): the words found are those of jieba's whole dictionary."""
from __future__ import annotations

import jieba

from pipeline import analysis
from pipeline.demo import data
from pipeline.rules import load_rules

TEXTS = [*data.ENTERPRISE_NEEDS, *getattr(data, "PERSON_NEEDS", ()), "希望降低采购成本，提升售后响应速度；关注数字化转型",
         "ERP系统对接、MES上线，需要API接口和7x24小时服务", "预算50万以内，要求三个月内交付", "长长长长长长长长长长长长长长长长长长长长"]


def _classic(rules) -> jieba.Tokenizer:
    tok = jieba.Tokenizer()
    tok.tmp_dir = str(analysis._cache_dir())
    for row in rules.tables.get("hotwords/dictionary", ()):
        word = (row.get("word") or "").strip()
        if word:
            freq = int(row["freq"]) if (row.get("freq") or "").strip().isdigit() else None
            tok.add_word(word, freq, (row.get("tag") or "").strip() or None)
    return tok


def test_partial_table_segments_like_the_whole_dictionary(monkeypatch):
    rules = load_rules()
    analysis._TFIDF_CACHE.clear()
    model = analysis._extractor(rules)
    model.cover(TEXTS)
    classic = _classic(rules)
    for text in TEXTS:
        assert list(model.tokenizer.cut(text)) == list(classic.cut(text)), text
    assert len(model.tokenizer.FREQ) < len(classic.FREQ) / 10          # only what the texts meet


def test_many_texts_load_the_whole_table(monkeypatch):
    rules = load_rules()
    analysis._TFIDF_CACHE.clear()
    monkeypatch.setattr(analysis, "_PREFIX_LOOKUPS", 10)
    model = analysis._extractor(rules)
    model.cover(TEXTS)
    classic = _classic(rules)
    for text in TEXTS:
        assert list(model.tokenizer.cut(text)) == list(classic.cut(text)), text
    analysis._TFIDF_CACHE.clear()
