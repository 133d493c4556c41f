"""text/dictionary.py: jieba with the domain dictionary, imported without pkg_resources."""

import subprocess
import sys


def test_jieba_loads_its_data_without_pkg_resources_and_keeps_domain_words():
    code = ("import sys; from generator.text.dictionary import jieba_ready; jieba = jieba_ready(); "
            "print('pkg_resources' in sys.modules, '/'.join(jieba.cut('政法委发出检察建议，督促挂案清理')))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded, words = result.stdout.split()
    assert loaded == "False"
    assert {"政法委", "检察建议", "挂案"} <= set(words.split("/"))


def test_segmentation_is_the_same_with_and_without_pkg_resources():
    import importlib.util

    import pytest

    if importlib.util.find_spec("pkg_resources") is None:
        pytest.skip("pkg_resources (setuptools) is not installed: jieba always reads its files directly here")
    text = "市人民检察院联合公安分局开展涉案财物专项检查，发现超期羁押和久押不决问题，制发监督建议书。"
    outputs = []
    for preload in ("", "import pkg_resources; "):
        code = (f"{preload}from generator.text.dictionary import jieba_ready; "
                f"print('/'.join(jieba_ready().cut({text!r})))")
        outputs.append(subprocess.run([sys.executable, "-W", "ignore", "-c", code], capture_output=True, text=True,
                                      check=True).stdout)
    assert outputs[0] == outputs[1] and outputs[0].count("/") > 10
