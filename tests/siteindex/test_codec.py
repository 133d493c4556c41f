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
