//! The root package only owns `tests/` (end-to-end suites); see `model/` and `harness/`.
