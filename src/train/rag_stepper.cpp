#include "corag/train/rag_stepper.hpp"

#include <chrono>
#include <cmath>
#include <optional>
#include <sstream>
#include <type_traits>

#include <torch/optim/adamw.h>

#include "corag/train/autocast_scope.hpp"
#include "corag/train/passage_retrieval.hpp"
#include "corag/train/perplexity_distillation.hpp"
#include "corag/util/atomic_file.hpp"
#include "corag/util/error.hpp"
#include "corag/util/rng.hpp"
#include "corag/util/safetensors_reader.hpp"
#include "corag/util/safetensors_writer.hpp"

namespace corag {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point& mark) {
  const auto now = Clock::now();
  const double seconds = std::chrono::duration<double>(now - mark).count();
  mark = now;
  return seconds;
}

const std::string& draw_answer(const QaRecord& qa, bool first, Rng& rng) {
  CORAG_CHECK(!qa.answers.empty(), "training question '", qa.id, "' has no answer");
  return first ? qa.answers.front() : qa.answers[static_cast<std::size_t>(rng.uniform(qa.answers.size()))];
}

/// A step's gradients and losses summed over its micro-batches (and ranks) in fp64, and
/// rounded to the weights' fp32 once: fp32 sums in another order (N ranks) would differ by an
/// ulp, which flips near-tied retrievals. One flat buffer: every gradient, then per parameter
/// how many parts had a gradient for it, then the two losses.
class GradientSum {
 public:
  explicit GradientSum(const std::vector<torch::Tensor>& parameters)
      : count_(static_cast<std::int64_t>(parameters.size())) {
    for (const auto& parameter : parameters) values_ += parameter.numel();
    sum_ = torch::zeros({values_ + count_ + 2}, parameters.front().options().dtype(torch::kFloat64));
  }

  /// Adds the parameters' current gradients and a part's losses.
  void add(const std::vector<torch::Tensor>& parameters, const StepLosses& part) {
    torch::NoGradGuard no_grad;
    auto tail = torch::zeros({count_ + 2}, torch::kFloat64);
    std::int64_t offset = 0;
    for (std::int64_t i = 0; i < count_; ++i) {
      const auto& parameter = parameters[static_cast<std::size_t>(i)];
      if (parameter.grad().defined()) {
        sum_.narrow(0, offset, parameter.numel()).add_(parameter.grad().reshape(-1).to(torch::kFloat64));
        tail[i] = 1.0;
      }
      offset += parameter.numel();
    }
    tail[count_] = part.reader;
    tail[count_ + 1] = part.retriever;
    sum_.narrow(0, values_, count_ + 2).add_(tail.to(sum_.device()));
  }

  void all_reduce(Collective& collective, const std::string& what) { collective.all_reduce_sum(sum_, what); }

  /// Makes the sums the parameters' gradients (of those some part had one for); the losses.
  StepLosses apply(std::vector<torch::Tensor>& parameters) const {
    torch::NoGradGuard no_grad;
    const auto tail = sum_.narrow(0, values_, count_ + 2).to(torch::kCPU);
    const auto* counts = tail.data_ptr<double>();
    std::int64_t offset = 0;
    for (std::int64_t i = 0; i < count_; ++i) {
      auto& parameter = parameters[static_cast<std::size_t>(i)];
      if (counts[i] > 0) {
        const auto summed = sum_.narrow(0, offset, parameter.numel()).view(parameter.sizes()).to(parameter.dtype());
        if (parameter.grad().defined()) {
          parameter.mutable_grad().copy_(summed);
        } else {
          parameter.mutable_grad() = summed;
        }
      }
      offset += parameter.numel();
    }
    return {counts[count_], counts[count_ + 1]};
  }

 private:
  std::int64_t count_, values_ = 0;
  torch::Tensor sum_;
};

/// `values` [batch, n] padded with zeros to [batch, k].
torch::Tensor pad_columns(const torch::Tensor& values, std::int64_t k) {
  if (values.size(1) >= k) return values.narrow(1, 0, k);
  return torch::constant_pad_nd(values, {0, k - values.size(1)}, 0.0);
}

}  // namespace

RagStepper::RagStepper(RagModel& model, const ExperimentConfig& config, const Runtime& runtime, LinearSchedule schedule,
                       Collective* collective)
    : model_(model),
      config_(config),
      runtime_(runtime),
      schedule_(schedule),
      collective_(collective != nullptr && collective->world_size() > 1 ? collective : nullptr),
      parameters_(model.trainable_parameters()) {
  // Two parameter groups, so that the reader and the query encoder each get their own rate:
  // RagModel lists the reader's parameters first, then the query encoder's.
  const auto split = parameters_.begin() + static_cast<std::ptrdiff_t>(model.reader().model()->parameters().size());
  const std::vector<torch::Tensor> reader(parameters_.begin(), split), query_encoder(split, parameters_.end());
  const auto options = [&](double lr) {
    return torch::optim::AdamWOptions(lr).weight_decay(config.train.weight_decay).eps(config.train.adam_epsilon);
  };
  std::vector<torch::optim::OptimizerParamGroup> groups;
  groups.emplace_back(reader, std::make_unique<torch::optim::AdamWOptions>(options(config.train.lr)));
  if (!query_encoder.empty()) {
    groups.emplace_back(query_encoder,
                        std::make_unique<torch::optim::AdamWOptions>(options(config.train.retriever_lr)));
  }
  optimizer_ = std::make_unique<torch::optim::AdamW>(std::move(groups), options(config.train.lr));
}

RagStepper::~RagStepper() = default;

TrainingRetrieval RagStepper::retrieve(const std::vector<TrainExample>& examples) {
  auto& retriever = model_.retriever();
  std::vector<std::string> queries_text;
  std::vector<const DenseStore*> stores;
  for (const auto& example : examples) {
    queries_text.push_back(retriever_query_text(config_.model, example.qa->question));
    stores.push_back(example.store);
  }
  // Atlas searches with the query encoder in eval mode and without gradient, then embeds the
  // queries again in train mode (dropout on) with gradient for the score.
  const auto search_queries = retriever.embed_queries(queries_text, queries_text.size());
  TrainingRetrieval out;
  out.retrieved = retrieve_passages(search_queries, stores, static_cast<std::size_t>(config_.model.n_context),
                                    runtime_.device, runtime_.compute_dtype, /*with_embeddings=*/true);
  const auto queries = retriever.query_embeddings(queries_text).to(torch::kFloat32);
  out.scores =
      (queries.unsqueeze(1) * out.retrieved.embeddings).sum(-1) / std::sqrt(static_cast<double>(retriever.dim()));
  return out;
}

StepLosses RagStepper::step(const std::vector<TrainExample>& batch, std::int64_t step, std::uint64_t step_seed) {
  CORAG_CHECK(!batch.empty(), "training step ", step, " has an empty batch");
  const auto targets = draw_targets(batch, step_seed);
  std::size_t target_tokens = 0;
  for (const auto& target : targets) target_tokens += target.size();

  model_.train(true);
  optimizer_->zero_grad();
  const auto& train = config_.train;
  const std::size_t ranks = collective_ ? static_cast<std::size_t>(collective_->world_size()) : 1;
  const std::size_t rank = collective_ ? static_cast<std::size_t>(collective_->rank()) : 0;
  const std::size_t micro = train.micro_batch_size > 0 ? static_cast<std::size_t>(train.micro_batch_size)
                                                       : (batch.size() + ranks - 1) / ranks;
  StepLosses losses;
  auto mark = Clock::now();
  // A step in one piece on one rank keeps its gradients as backward leaves them; otherwise the
  // parts' gradients are summed in fp64.
  std::optional<GradientSum> sum;
  if (batch.size() > micro || collective_) sum.emplace(parameters_);
  std::size_t part_index = 0;
  for (std::size_t begin = 0; begin < batch.size(); begin += micro, ++part_index) {
    if (part_index % ranks != rank) continue;
    // The first micro-batch keeps the step's dropout seed (draw_targets), so that a step in one
    // piece draws as it always has.
    if (part_index > 0) torch::manual_seed(derive_seed(step_seed, "dropout/part" + std::to_string(part_index)));
    if (sum) optimizer_->zero_grad();
    const auto part =
        accumulate_micro_batch(batch, targets, begin, std::min(batch.size(), begin + micro), target_tokens, step, mark);
    if (sum) {
      sum->add(parameters_, part);
    } else {
      losses = part;
    }
  }
  if (sum) {
    if (collective_)
      sum->all_reduce(*collective_, "training step " + std::to_string(step + 1) + ": summing the gradients");
    losses = sum->apply(parameters_);
  }
  update_weights(step);
  timings_.optimizer += seconds_since(mark);
  ++timings_.steps;
  return losses;
}

std::vector<std::vector<std::int64_t>> RagStepper::draw_targets(const std::vector<TrainExample>& batch,
                                                                std::uint64_t step_seed) {
  Rng answer_rng(derive_seed(step_seed, "answers"));
  torch::manual_seed(derive_seed(step_seed, "dropout"));
  std::vector<std::vector<std::int64_t>> targets;
  for (const auto& example : batch) {
    targets.push_back(
        model_.reader().target_ids(draw_answer(*example.qa, config_.train.target == TrainTarget::first, answer_rng)));
  }
  return targets;
}

StepLosses RagStepper::accumulate_micro_batch(const std::vector<TrainExample>& batch,
                                              const std::vector<std::vector<std::int64_t>>& targets, std::size_t begin,
                                              std::size_t end, std::size_t target_tokens, std::int64_t step,
                                              std::chrono::steady_clock::time_point& mark) {
  FidReader& reader = model_.reader();
  const auto& train = config_.train;
  const auto k = static_cast<std::int64_t>(config_.model.n_context);
  const std::vector<std::vector<std::int64_t>> micro_targets(targets.begin() + static_cast<std::ptrdiff_t>(begin),
                                                             targets.begin() + static_cast<std::ptrdiff_t>(end));
  std::vector<ReaderExample> examples;
  for (std::size_t i = begin; i < end; ++i) examples.push_back({batch[i].qa->question, {}});

  AutocastScope autocast(runtime_.device, runtime_.compute_dtype);
  torch::Tensor retriever_loss;
  if (config_.model.retrieval) {
    auto training = retrieve(
        {batch.begin() + static_cast<std::ptrdiff_t>(begin), batch.begin() + static_cast<std::ptrdiff_t>(end)});
    for (std::size_t i = 0; i < examples.size(); ++i) {
      for (auto& passage : training.retrieved.passages[i]) examples[i].passages.push_back(std::move(passage));
    }
    timings_.retrieval += seconds_since(mark);

    torch::Tensor passage_nll;
    {
      // Atlas scores each passage with the reader in eval mode and without gradient.
      torch::NoGradGuard no_grad;
      reader.model()->eval();
      passage_nll = pad_columns(reader.passage_nll(reader.encode(examples), micro_targets).to(torch::kFloat32), k);
      reader.model()->train();
    }
    // torch.nn.KLDivLoss() as Atlas calls it: the 'mean' reduction over all batch x k terms.
    retriever_loss = perplexity_distillation_loss(training.scores, passage_nll, training.retrieved.mask,
                                                  train.temperature_gold, train.temperature_score) /
                     static_cast<double>(batch.size() * static_cast<std::size_t>(k));
    timings_.distillation += seconds_since(mark);
  }

  const auto reader_loss = target_token_nll_sum(reader.fid_nll(reader.encode(examples), micro_targets), micro_targets) /
                           static_cast<double>(target_tokens);
  auto loss = reader_loss;
  if (retriever_loss.defined()) loss = loss + retriever_loss;
  StepLosses losses;
  losses.reader = reader_loss.item<double>();
  losses.retriever = retriever_loss.defined() ? retriever_loss.item<double>() : 0.0;
  CORAG_CHECK(
      std::isfinite(losses.reader) && std::isfinite(losses.retriever), "training step ", step + 1,
      ": the loss is not finite (reader ", losses.reader, ", retriever ", losses.retriever,
      "); stopping before the weights change (lower train.lr or train.retriever_lr, check the checkpoints' weights)");
  timings_.forward += seconds_since(mark);
  loss.backward();
  timings_.backward += seconds_since(mark);
  return losses;
}

void RagStepper::update_weights(std::int64_t step) {
  const auto& train = config_.train;
  if (train.clip_grad_norm > 0) {
    last_gradient_norm_ = torch::nn::utils::clip_grad_norm_(parameters_, train.clip_grad_norm);
  } else {  // measured only (scalars.csv), as clip_grad_norm_ measures: the norm of the norms
    std::vector<torch::Tensor> norms;
    for (const auto& parameter : parameters_) {
      if (parameter.grad().defined()) norms.push_back(parameter.grad().norm());
    }
    last_gradient_norm_ = norms.empty() ? 0.0 : torch::stack(norms).norm().item<double>();
  }
  // Group 0 is the reader's, group 1 (with a retriever) the query encoder's.
  const double peak[] = {train.lr, train.retriever_lr};
  auto& groups = optimizer_->param_groups();
  for (std::size_t i = 0; i < groups.size(); ++i) {
    static_cast<torch::optim::AdamWOptions&>(groups[i].options()).lr(peak[i] * schedule_.factor(step));
  }
  optimizer_->step();
  optimizer_->zero_grad();
}

namespace {

/// The optimizer's state map is keyed by each parameter's TensorImpl: its address as a string in
/// LibTorch 1.13, the pointer itself in 2.x.
using OptimizerStateKey = std::decay_t<decltype(std::declval<torch::optim::AdamW&>().state())>::key_type;

template <typename Key = OptimizerStateKey>
Key state_key(const torch::Tensor& parameter) {
  if constexpr (std::is_same_v<Key, std::string>) {
    return c10::guts::to_string(parameter.unsafeGetTensorImpl());
  } else {
    return parameter.unsafeGetTensorImpl();
  }
}

/// "group0.param3.exp_avg"; with an empty field, the position alone ("group0.param3").
std::string moment_name(std::size_t group, std::size_t parameter, const char* field) {
  const auto position = "group" + std::to_string(group) + ".param" + std::to_string(parameter);
  return *field == '\0' ? position : position + "." + field;
}

}  // namespace

void RagStepper::save_optimizer(const std::filesystem::path& path) const {
  // AdamW's moments by parameter group and position, in a safetensors file: LibTorch's own
  // archive keys them by memory address, so two identical runs wrote different bytes. The
  // metadata names each position's HF parameter, so Python can pair moments with weights.
  std::vector<std::string> names;
  for (const auto& item : model_.reader().model()->named_parameters()) names.push_back("reader." + item.key());
  if (model_.has_retriever()) {
    for (const auto& item : model_.retriever().query_encoder()->named_parameters())
      names.push_back("query_encoder." + item.key());
  }
  SafetensorsMetadata metadata = {{"format",
                                   "AdamW moments: groupG.paramI.{step,exp_avg,exp_avg_sq}; "
                                   "the metadata key groupG.paramI names the parameter"}};
  std::vector<NamedTensor> tensors;
  const auto& groups = optimizer_->param_groups();
  std::size_t position = 0;
  for (std::size_t g = 0; g < groups.size(); ++g) {
    const auto& parameters = groups[g].params();
    for (std::size_t i = 0; i < parameters.size(); ++i, ++position) {
      const auto found = optimizer_->state().find(state_key(parameters[i]));
      if (found == optimizer_->state().end()) continue;  // not stepped yet
      metadata[moment_name(g, i, "")] = position < names.size() ? names[position] : "";
      const auto& state = static_cast<const torch::optim::AdamWParamState&>(*found->second);
      tensors.push_back({moment_name(g, i, "step"), torch::tensor({state.step()}, torch::kInt64)});
      tensors.push_back({moment_name(g, i, "exp_avg"), state.exp_avg().cpu()});
      tensors.push_back({moment_name(g, i, "exp_avg_sq"), state.exp_avg_sq().cpu()});
    }
  }
  write_safetensors(path, tensors, metadata);
}

void RagStepper::load_optimizer(const std::filesystem::path& path) {
  CORAG_CHECK(std::filesystem::is_regular_file(path), "missing optimizer state ", path.string());
  const SafetensorsReader file(path);
  std::size_t used = 0;
  const auto moment = [&](std::size_t g, std::size_t i, const char* field,
                          const torch::Tensor& like) -> std::optional<torch::Tensor> {
    const auto* entry = file.find(moment_name(g, i, field));
    if (entry == nullptr) return std::nullopt;
    ++used;
    auto value = file.tensor(*entry);
    CORAG_CHECK(value.sizes() == like.sizes(), path.string(), ": ", moment_name(g, i, field), " has shape ",
                value.sizes(), ", the parameter ", like.sizes());
    return value.to(like.device(), like.scalar_type()).clone();
  };
  auto& groups = optimizer_->param_groups();
  for (std::size_t g = 0; g < groups.size(); ++g) {
    const auto& parameters = groups[g].params();
    for (std::size_t i = 0; i < parameters.size(); ++i) {
      const auto* step = file.find(moment_name(g, i, "step"));
      if (step == nullptr) continue;
      ++used;
      const auto step_value = file.tensor(*step);
      CORAG_CHECK(step_value.numel() == 1 && step_value.scalar_type() == torch::kInt64, path.string(), ": ",
                  moment_name(g, i, "step"), " is not one int64");
      auto state = std::make_unique<torch::optim::AdamWParamState>();
      state->step(step_value.item<std::int64_t>());
      const auto exp_avg = moment(g, i, "exp_avg", parameters[i]);
      const auto exp_avg_sq = moment(g, i, "exp_avg_sq", parameters[i]);
      CORAG_CHECK(exp_avg && exp_avg_sq, path.string(), ": ", moment_name(g, i, "step"), " without both moments");
      state->exp_avg(*exp_avg);
      state->exp_avg_sq(*exp_avg_sq);
      optimizer_->state()[state_key(parameters[i])] = std::move(state);
    }
  }
  CORAG_CHECK(used == file.entries().size(), path.string(), ": holds ", file.entries().size() - used,
              " tensors that match no parameter of this model's optimizer");
}

}  // namespace corag
