"""Glossary files: formats, quirks and problems reported with file and line."""

from __future__ import annotations

from pathlib import Path

from transync import glossary

REPO = Path(__file__).resolve().parents[1]


def write(folder: Path, name: str, data: str | bytes) -> None:
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_bytes(data if isinstance(data, bytes) else data.encode())


def test_shipped_glossaries_are_clean():
    result = glossary.load(REPO / "glossaries")
    assert result.problems == []
    assert result.terms("en", "ja")["overview"] == "概要"
    assert result.terms("en", "de")["overview"] == "Überblick"


def test_bom_crlf_and_quoted_fields(tmp_path):
    write(tmp_path, "en-ja.csv", "\ufeffsource,target,note\r\n\"Hi-Fi, portable\",ポータブル,\"a note, with comma\"\r\nDAC,DAC\r\n".encode())
    result = glossary.load(tmp_path)
    assert result.problems == []
    assert result.terms("en", "ja") == {"hi-fi, portable": "ポータブル", "dac": "DAC"}
    assert result.pairs[("en", "ja")][0].note == "a note, with comma"


def test_tsv_and_multilingual(tmp_path):
    write(tmp_path, "en-de.tsv", "source\ttarget\nSpeaker\tLautsprecher\n")
    write(tmp_path, "terms.csv", "en,ja,de\nAmplifier,アンプ,Verstärker\nDriver,,Treiber\n")
    result = glossary.load(tmp_path)
    assert result.problems == []
    assert result.terms("en", "de") == {"speaker": "Lautsprecher", "amplifier": "Verstärker", "driver": "Treiber"}
    assert result.terms("en", "ja") == {"amplifier": "アンプ"}


def test_problems_name_file_and_line(tmp_path):
    write(
        tmp_path,
        "en-ja.csv",
        'source,target\nDAC,DAC\n"multi\nline",x\ndac,DAC\nAmp,アンプ\namp,増幅器\n,empty\n<x id="1"/>,tag\n',
    )
    write(tmp_path, "notes.csv", "term,meaning\n")
    result = glossary.load(tmp_path)
    got = [(p.path, p.line, p.message.split(" (")[0].split(" ->")[0]) for p in result.problems]
    assert got == [
        ("en-ja.csv", 5, "duplicate entry for 'dac'"),
        ("en-ja.csv", 7, "'amp'"),
        ("en-ja.csv", 8, "empty source or target term"),
        ("en-ja.csv", 9, "a term holds a tag-like text"),
        ("notes.csv", 1, "header must be 'source,target[,note]' or language codes"),
    ]
    assert "conflicts with 'アンプ' (en-ja.csv:6)" in result.problems[1].message
