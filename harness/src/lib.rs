//! xacct-harness: the `xacct` command line and, as the project grows, the executor, targets,
//! generators, shrinking and reports (DESIGN.md sections 4–7).
//!
//! Today it holds the model-side commands: `explain`, `replay --model-only` and `decisions`.

pub mod render;
