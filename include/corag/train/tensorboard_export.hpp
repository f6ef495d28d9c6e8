#pragma once

#include <filesystem>

namespace corag {

/// The event file `RUN/tensorboard/events.out.tfevents.0.corag` that `tensorboard --logdir RUN`
/// plots, rewritten whole (and atomically) from the run's own records:
/// - scalars.csv, per optimizer step: `loss_reader/WHO`, `loss_retriever/WHO`, `lr_reader/WHO`,
///   `lr_retriever/WHO`, `grad_norm/WHO` (WHO: client1..., or all), at step n for WHO's n-th step;
/// - metrics.jsonl's test records: `test_em/client_N`, `test_f1/client_N`, and
///   `answer_recall/client_N` and the retrieval diagnostics where recorded, at the record's round
///   (collaborative) or step.
/// Every event's wall time is 0, so the file follows from the records alone. Returns its path.
std::filesystem::path export_tensorboard(const std::filesystem::path& run_dir);

}  // namespace corag
