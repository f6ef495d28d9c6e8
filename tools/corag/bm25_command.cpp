#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "commands.hpp"
#include "corag/store/bm25_index.hpp"
#include "corag/store/retrieval_output.hpp"
#include "corag/store/store_files.hpp"
#include "corag/util/atomic_file.hpp"
#include "corag/util/error.hpp"
#include "corag/util/input_file.hpp"
#include "corag/util/output_lock.hpp"
#include "enum_option.hpp"

namespace corag::cli {

void add_bm25_command(CLI::App& app) {
  struct Options {
    std::string passages, out, index, queries, tag = "corag-bm25";
    RetrievalFormat format = RetrievalFormat::jsonl;
    Bm25Options bm25;
    bool no_stem = false, no_stopwords = false;
    std::size_t top_k = 50;
    int threads = 0;
  };
  auto options = std::make_shared<Options>();
  auto* bm25 = app.add_subcommand("bm25", "BM25 index over a passage corpus (the CRAB builder's classifier)");
  bm25->require_subcommand(1);

  auto* build = bm25->add_subcommand("build", "build the passage table and the BM25 index of a corpus");
  build->add_option("--passages", options->passages, "corpus: JSONL or DPR TSV")->required()->check(CLI::ExistingFile);
  build->add_option("--out", options->out, "index directory")->required();
  build->add_option("--k1", options->bm25.k1, "BM25 k1")->check(CLI::Range(0.0, 100.0))->capture_default_str();
  build->add_option("--b", options->bm25.b, "BM25 b")->check(CLI::Range(0.0, 1.0))->capture_default_str();
  build->add_flag("--no-stem", options->no_stem, "no Snowball stemming");
  build->add_flag("--no-stopwords", options->no_stopwords, "keep English stop words");
  build->add_option("--threads", options->threads, "worker threads (0: one per core)")->capture_default_str();
  build->callback([options] {
    options->bm25.analyzer.stem = !options->no_stem;
    options->bm25.analyzer.stopwords = !options->no_stopwords;
    const OutputLock lock(options->out, "corag bm25 build");
    // A dense store's passage table is its own: a BM25 build of another corpus there would replace
    // it under the store's embeddings and index.
    const std::filesystem::path out = options->out;
    CORAG_CHECK(
        !std::filesystem::exists(out / store_files::kMeta) && !std::filesystem::exists(out / store_files::kBuildState),
        options->out, ": holds a dense store (", store_files::kMeta, " or ", store_files::kBuildState,
        "), whose passage table a BM25 build would replace; choose another --out");
    PassageTable::build(options->passages, options->out);
    const PassageTable table(options->out);
    Bm25Index::build(table, options->out, options->bm25, options->threads);
  });

  auto* search = bm25->add_subcommand("search", "top-k BM25 passages for each question of a QA file");
  search->add_option("--index", options->index, "index directory (corag bm25 build)")
      ->required()
      ->check(CLI::ExistingDirectory);
  search->add_option("--queries", options->queries, "QA JSONL (answers optional)")
      ->required()
      ->check(CLI::ExistingFile);
  search->add_option("--top-k", options->top_k, "passages per question")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  search->add_option("--out", options->out, "output file")->required();
  add_enum_option(*search, "--format", options->format,
                  "jsonl (reader input) or trec (a TREC run: qid Q0 docid rank score tag; qid = the question's id "
                  "or line number)");
  search->add_option("--tag", options->tag, "run tag of TREC lines")->capture_default_str();
  search->add_option("--threads", options->threads, "worker threads (0: one per core)")->capture_default_str();
  search->callback([options] {
    require_output_apart_from_input(options->out, options->queries);
    const PassageTable table(options->index);
    const Bm25Index index(options->index);
    CORAG_CHECK(index.size() == table.size(), options->index, ": the BM25 index covers ", index.size(),
                " passages but the table has ", table.size());
    std::vector<QaRecord> queries;
    QaReader reader(options->queries, AnswersPolicy::optional);
    for (QaRecord record; reader.next(record);) queries.push_back(record);
    std::vector<std::string> texts;
    for (const auto& query : queries) texts.push_back(query.question);
    const auto hits = index.search(texts, options->top_k, options->threads);
    write_file_atomically(options->out, [&](std::ostream& out) {
      for (std::size_t i = 0; i < queries.size(); ++i) {
        write_retrieval_hits(out, options->format, queries[i], i, hits[i], table, options->tag);
      }
    });
  });
}

}  // namespace corag::cli
