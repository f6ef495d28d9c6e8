#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "commands.hpp"
#include "corag/models/retriever.hpp"
#include "corag/models/weights_fingerprint.hpp"
#include "corag/store/dense_store.hpp"
#include "corag/store/retrieval_output.hpp"
#include "corag/store/store_composition.hpp"
#include "corag/train/passage_retrieval.hpp"
#include "corag/util/atomic_file.hpp"
#include "corag/util/error.hpp"
#include "corag/util/input_file.hpp"
#include "corag/util/output_lock.hpp"
#include "corag/util/progress_bar.hpp"
#include "enum_option.hpp"
#include "runtime_options.hpp"

namespace corag::cli {
namespace {

void add_index_build_options(CLI::App& command, StoreBuildOptions& options) {
  command.add_option("--index", options.index_factory, "FAISS factory string: Flat (exact), IVF4096,PQ64, HNSW32, ...")
      ->capture_default_str();
  command.add_option("--train-sample", options.train_sample, "vectors sampled to train IVF/PQ indexes")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  add_enum_option(command, "--dtype", options.dtype, "embeddings on disk");
}

}  // namespace

void add_index_command(CLI::App& app) {
  struct Options {
    std::string retriever, passages, out, ids;
    std::vector<std::string> from;
    StoreBuildOptions store;
    RuntimeConfig runtime;
  };
  auto options = std::make_shared<Options>();
  auto* index = app.add_subcommand("index", "dense passage stores (embeddings + FAISS index)");
  index->require_subcommand(1);

  auto* build = index->add_subcommand("build", "embed a corpus with the passage encoder into a store (resumable)");
  build->add_option("--retriever", options->retriever, "HF BERT/Contriever directory")
      ->required()
      ->check(CLI::ExistingDirectory);
  build->add_option("--passages", options->passages, "corpus: JSONL or DPR TSV")->required()->check(CLI::ExistingFile);
  build->add_option("--out", options->out, "store directory (an unfinished one is resumed)")->required();
  build->add_option("--batch-size", options->store.batch_size, "passages per forward pass")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  build->add_option("--chunk-rows", options->store.chunk_rows, "passages per embedding chunk (the unit of resuming)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  add_index_build_options(*build, options->store);
  add_runtime_options(*build, options->runtime);
  build->callback([options] {
    require_output_outside(options->out, options->retriever);
    const OutputLock lock(options->out, "corag index build");
    const Runtime runtime = apply_runtime(options->runtime);
    options->store.seed = runtime.seed;
    auto retriever = Retriever::load(options->retriever, runtime.device);
    retriever.passage_encoder()->to(runtime.compute_dtype);
    DenseStore::build(retriever, options->passages, options->out, options->store);
  });

  auto* compose = index->add_subcommand(
      "compose", "a store of a subset (--ids) or union of stores, reusing their embeddings (no re-embedding)");
  compose->add_option("--from", options->from, "source store(s), all over one root store")
      ->required()
      ->check(CLI::ExistingDirectory);
  compose->add_option("--ids", options->ids, "passage ids to keep, one per line (default: all of --from)")
      ->check(CLI::ExistingFile);
  compose->add_option("--out", options->out, "new store directory")->required();
  compose->add_option("--seed", options->store.seed, "training sample seed")->capture_default_str();
  add_index_build_options(*compose, options->store);
  compose->callback([options] {
    std::vector<std::filesystem::path> from(options->from.begin(), options->from.end());
    for (const auto& source : from) require_output_outside(options->out, source);
    const OutputLock lock(options->out, "corag index compose");
    compose_store(from, options->ids.empty() ? std::nullopt : std::optional<std::filesystem::path>(options->ids),
                  options->out, options->store);
  });
}

void add_retrieve_command(CLI::App& app) {
  struct Options {
    std::string store, retriever, queries, out;
    std::size_t top_k = 40, batch_size = 64;
    RetrievalFormat format = RetrievalFormat::jsonl;
    std::string tag = "corag-dense";
    ModelConfig query;  ///< only retriever_query is read
    RuntimeConfig runtime;
  };
  auto options = std::make_shared<Options>();
  auto* command =
      app.add_subcommand("retrieve", "top-k passages of a store for each question (reader input JSONL or a TREC run)");
  command->add_option("--store", options->store, "store directory (corag index build|compose)")
      ->required()
      ->check(CLI::ExistingDirectory);
  command
      ->add_option("--retriever", options->retriever,
                   "HF BERT/Contriever directory (its passage encoder must be "
                   "the store's)")
      ->required()
      ->check(CLI::ExistingDirectory);
  command->add_option("--queries", options->queries, "QA JSONL (answers optional)")
      ->required()
      ->check(CLI::ExistingFile);
  command->add_option("--top-k", options->top_k, "passages per question")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  add_enum_option(*command, "--query", options->query.retriever_query,
                  "what the query encoder embeds: reader (`question: {q} answer: <extra_id_0>`, as Atlas and "
                  "corag train) or question (the raw question)");
  command->add_option("--out", options->out, "output file")->required();
  add_enum_option(*command, "--format", options->format,
                  "jsonl (reader input) or trec (a TREC run: qid Q0 docid rank score tag; qid = the question's id "
                  "or line number)");
  command->add_option("--tag", options->tag, "run tag of TREC lines")->capture_default_str();
  command->add_option("--batch-size", options->batch_size, "questions per forward pass")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  add_runtime_options(*command, options->runtime);
  command->callback([options] {
    require_output_apart_from_input(options->out, options->queries);
    const Runtime runtime = apply_runtime(options->runtime);
    const DenseStore store(options->store);
    auto retriever = Retriever::load(options->retriever, runtime.device);
    store.check_passage_encoder(weights_fingerprint(*retriever.passage_encoder()), options->retriever);
    retriever.query_encoder()->to(runtime.compute_dtype);

    std::vector<QaRecord> queries;
    QaReader reader(options->queries, AnswersPolicy::optional);
    for (QaRecord record; reader.next(record);) queries.push_back(record);
    ProgressBar progress("retrieve", queries.size(), "questions");
    AtomicFileWriter out(options->out);
    for (std::size_t begin = 0; begin < queries.size(); begin += options->batch_size) {
      const auto end = std::min(queries.size(), begin + options->batch_size);
      std::vector<std::string> texts;
      for (std::size_t i = begin; i < end; ++i)
        texts.push_back(retriever_query_text(options->query, queries[i].question));
      const auto embedded = retriever.embed_queries(texts, texts.size());
      const auto hits = store.top_k(embedded, options->top_k, runtime.device, runtime.compute_dtype);
      for (std::size_t i = begin; i < end; ++i) {
        write_retrieval_hits(out.stream(), options->format, queries[i], i, hits[i - begin], store.table(),
                             options->tag);
      }
      progress.advance(end - begin);
    }
    out.commit();
    progress.finish();
  });
}

}  // namespace corag::cli
