"""The number codec: postings strings."""

import random


from generator.siteindex.codec import decode_postings, encode_postings


def test_postings_round_trip():
    rng = random.Random(7)
    for _ in range(50):
        docs = sorted(rng.sample(range(100000), rng.randint(0, 60)))
        postings = [(d, rng.randint(1, 5000)) for d in docs]
        assert decode_postings(encode_postings(postings)) == postings
    assert len(encode_postings([(0, 8), (1, 12), (2, 9)])) == 6  # dense small postings: two characters each


def test_patching_one_doc_equals_encoding_afresh():
    from generator.siteindex.codec import patch_postings

    rng = random.Random(11)
    for _ in range(400):
        docs = sorted(rng.sample(range(3000), rng.randint(0, 40)))
        postings = dict((d, rng.choice([1, 7, 31, 32, 1000, 40000])) for d in docs)
        number = rng.choice(docs + [rng.randrange(3100)]) if docs else rng.randrange(3100)
        score = rng.choice([None, 1, 33, 5000])
        expected = dict(postings)
        if score is None:
            expected.pop(number, None)
        else:
            expected[number] = score
        patched, count = patch_postings(encode_postings(sorted(postings.items())), {number: score})
        assert patched == encode_postings(sorted(expected.items())) and count == len(expected)


def test_encoding_in_chunks_equals_encoding_at_once(monkeypatch):
    import numpy as np

    from generator.siteindex import codec

    rng = np.random.default_rng(7)
    values = rng.integers(0, 2**31 - 1, 5000) >> rng.integers(0, 31, 5000)
    whole = codec.encode_numbers(values)
    monkeypatch.setattr(codec, "CHUNK", 333)
    chunked = codec.encode_numbers(values)
    assert chunked[0] == whole[0] and chunked[1].tolist() == whole[1].tolist()
    assert codec.decode_numbers(chunked[0])[0].tolist() == values.tolist()
