#include "corag/crab/crab_builder.hpp"

#include <algorithm>
#include <optional>

#include <spdlog/spdlog.h>

#include "corag/config/store_variants.hpp"
#include "corag/crab/crab_layout.hpp"
#include "corag/crab/crab_splits.hpp"
#include "corag/crab/crab_stores.hpp"
#include "corag/crab/passage_classification.hpp"
#include "corag/store/bm25_index.hpp"
#include "corag/store/store_composition.hpp"
#include "corag/store/trec_run.hpp"
#include "corag/util/atomic_file.hpp"
#include "corag/util/error.hpp"
#include "corag/util/file_checksum.hpp"
#include "corag/util/json_strict.hpp"

namespace corag {
namespace {

nlohmann::json describe_file(const std::string& path) {
  return {{"path", path}, {"bytes", std::filesystem::file_size(path)}, {"sha256", file_sha256(path)}};
}

void write_qa_file(const std::filesystem::path& path, const std::vector<QaRecord>& records, std::size_t count) {
  write_file_atomically(path, [&](std::ostream& out) {
    for (std::size_t i = 0; i < count; ++i) {
      out << nlohmann::json{{"id", records[i].id}, {"question", records[i].question}, {"answers", records[i].answers}}
                 .dump()
          << '\n';
    }
  });
}

void write_ids(const std::filesystem::path& path, const RowSet& rows, const PassageTable& table) {
  write_file_atomically(path, [&](std::ostream& out) {
    for (const auto row : rows) out << table.at(row).id << '\n';
  });
}

/// Passages of `store` by class relative to the questions whose relevant / hard-negative rows are given.
nlohmann::json class_counts(const RowSet& store, const RowSet& relevant, const RowSet& hard_negatives) {
  std::size_t relevant_count = 0, hard_count = 0;
  for (const auto row : store) {
    if (std::binary_search(relevant.begin(), relevant.end(), row)) {
      ++relevant_count;
    } else if (std::binary_search(hard_negatives.begin(), hard_negatives.end(), row)) {
      ++hard_count;
    }
  }
  return {{"passages", store.size()},
          {"relevant", relevant_count},
          {"hard_negative", hard_count},
          {"irrelevant", store.size() - relevant_count - hard_count}};
}

/// BM25 hits (rank order) for every question, from our index or an imported TREC run.
std::vector<std::vector<ScoredRow>> rank_passages(const CrabConfig& config,
                                                  const std::vector<const QaRecord*>& questions,
                                                  const std::filesystem::path& index_dir, const PassageTable& table) {
  const auto depth = static_cast<std::size_t>(config.bm25.depth);
  if (!config.bm25.run.empty()) {
    const auto run = read_trec_run(config.bm25.run, table);
    std::vector<std::vector<ScoredRow>> hits;
    for (const auto* qa : questions) {
      const auto found = run.find(qa->id);
      CORAG_CHECK(found != run.end(), config.bm25.run, ": has no hits for question id '", qa->id, "'");
      hits.push_back(found->second);
    }
    return hits;
  }
  const Bm25Index index(index_dir);
  CORAG_CHECK(index.size() == table.size(), index_dir.string(), ": the BM25 index covers ", index.size(),
              " passages, its table ", table.size());
  std::vector<std::string> queries;
  for (const auto* qa : questions) queries.push_back(classification_query(*qa));
  spdlog::info("BM25: ranking {} questions (question + answers) to depth {}", queries.size(), depth);
  return index.search(queries, depth, static_cast<int>(config.build.threads));
}

/// Questions of every split and client, classified against the corpus, in the order built:
/// split (train, dev, test), client, question.
struct ClassifiedSplits {
  std::vector<const QaRecord*> questions;
  std::vector<std::vector<std::vector<QaPassageClasses>>> by_split;  ///< [split][client][question]
};

constexpr const char* kSplitNames[] = {"train", "dev", "test"};

std::vector<const std::vector<std::vector<QaRecord>>*> split_lists(const CrabSplits& splits) {
  return {&splits.train, &splits.dev, &splits.test};
}

/// A finished build (manifest.json) of the same identity: its manifest; of another: refused.
std::optional<nlohmann::json> finished_build(const CrabLayout& layout, const nlohmann::json& identity) {
  if (!std::filesystem::exists(layout.manifest())) return std::nullopt;
  auto previous = read_json_file(layout.manifest());
  CORAG_CHECK(previous.value("identity", nlohmann::json()) == identity, layout.root().string(),
              " holds a CRAB build of other inputs or another config (manifest.json); choose another --out or "
              "remove it");
  std::filesystem::remove(layout.build_marker());  // left by a kill just after the manifest was written
  spdlog::info("{}: this CRAB build is complete (manifest.json); nothing to do", layout.root().string());
  return previous;
}

/// Without a manifest, splits, classification and stores in `out` are an unfinished build's,
/// perhaps of another config: they are written again from scratch so that none of them
/// outlives it. The marker says they are ours to remove; folders without it are refused.
void start_build(const CrabLayout& layout, const nlohmann::json& identity) {
  const std::filesystem::path outputs[] = {layout.splits(), layout.classification(), layout.stores()};
  if (std::filesystem::exists(layout.build_marker())) {
    for (const auto& folder : outputs) std::filesystem::remove_all(folder);
    return;
  }
  for (const auto& folder : outputs) {
    CORAG_CHECK(!std::filesystem::exists(folder), folder.string(),
                " exists but is not from a crab-build-stores run; choose another --out");
  }
  write_file_atomically(layout.build_marker(), identity.dump() + "\n");
}

/// The folder of the corpus's passage table and BM25 index: `bm25.index`, or one built in the
/// layout (unless a TREC run replaces the search). A table left by an earlier, unfinished build is
/// reused only if it is of this very corpus (`corpus` describes it).
std::filesystem::path prepare_bm25(const CrabConfig& config, const CrabLayout& layout, const nlohmann::json& corpus) {
  if (!config.bm25.index.empty()) return config.bm25.index;
  const auto index_dir = layout.bm25();
  const auto source_file = index_dir / "corpus.json";
  const auto source = corpus.dump();
  if (std::filesystem::exists(source_file)) {
    const std::string previous = read_file(source_file);
    CORAG_CHECK(previous == source, index_dir.string(), " holds the table of another corpus (", previous,
                "); remove it");
  } else {
    PassageTable::build(config.data.corpus, index_dir);
    write_file_atomically(source_file, source);
  }
  if (config.bm25.run.empty() && !std::filesystem::exists(index_dir / "bm25.json")) {
    Bm25Options options;
    options.k1 = config.bm25.k1;
    options.b = config.bm25.b;
    Bm25Index::build(PassageTable(index_dir), index_dir, options, static_cast<int>(config.build.threads));
  }
  return index_dir;
}

ClassifiedSplits classify_splits(const CrabConfig& config, const CrabSplits& splits,
                                 const std::filesystem::path& index_dir, const PassageTable& table) {
  ClassifiedSplits out;
  const auto lists = split_lists(splits);
  for (const auto* split : lists) {
    for (const auto& client : *split) {
      for (const auto& qa : client) out.questions.push_back(&qa);
    }
  }
  const auto hits = rank_passages(config, out.questions, index_dir, table);
  std::vector<QaPassageClasses> classes;
  for (std::size_t i = 0; i < out.questions.size(); ++i) {
    classes.push_back(classify_passages(*out.questions[i], hits[i], table, static_cast<std::size_t>(config.bm25.depth),
                                        static_cast<std::size_t>(config.bm25.relevant_depth),
                                        config.bm25.top_without_answer == TopWithoutAnswer::hard_negative));
  }
  const auto clients = splits.test.size();
  out.by_split.assign(lists.size(), std::vector<std::vector<QaPassageClasses>>(clients));
  std::size_t next = 0;
  for (std::size_t s = 0; s < lists.size(); ++s) {
    for (std::size_t c = 0; c < clients; ++c) {
      for (std::size_t q = 0; q < (*lists[s])[c].size(); ++q) out.by_split[s][c].push_back(classes[next++]);
    }
  }
  return out;
}

/// splits/ and its part of the manifest.
void write_splits(const CrabLayout& layout, const CrabSplits& splits, const std::vector<std::size_t>& shots,
                  nlohmann::json& manifest) {
  for (std::size_t c = 0; c < splits.test.size(); ++c) {
    const auto number = static_cast<std::int64_t>(c + 1);
    const auto client = CrabLayout::client_name(number);
    for (const auto shot : shots) {
      const auto split = CrabLayout::train_split_name(static_cast<std::int64_t>(shot));
      write_qa_file(layout.split_file(split, number), splits.train[c], shot);
      manifest["splits"][split][client] = shot;
    }
    write_qa_file(layout.split_file("dev", number), splits.dev[c], splits.dev[c].size());
    write_qa_file(layout.split_file("test", number), splits.test[c], splits.test[c].size());
    manifest["splits"]["dev"][client] = splits.dev[c].size();
    manifest["splits"]["test"][client] = splits.test[c].size();
  }
  manifest["pools"] = {{"test_pool_questions", splits.test_pool},
                       {"train_pool_questions", splits.train_pool},
                       {"duplicates_dropped", splits.duplicates_dropped},
                       {"train_pool_questions_in_test_pool_dropped", splits.overlap_dropped}};
}

/// classification/ and its part of the manifest.
void write_classification(const CrabConfig& config, const CrabLayout& layout, const CrabSplits& splits,
                          const ClassifiedSplits& classified, const PassageTable& table, nlohmann::json& manifest) {
  const auto lists = split_lists(splits);
  std::size_t without_relevant = 0;
  for (std::size_t s = 0; s < lists.size(); ++s) {
    const auto& split = *lists[s];
    write_file_atomically(layout.classification_file(kSplitNames[s]), [&](std::ostream& file) {
      for (std::size_t c = 0; c < split.size(); ++c) {
        for (std::size_t q = 0; q < split[c].size(); ++q) {
          const auto& classes = classified.by_split[s][c][q];
          nlohmann::json relevant = nlohmann::json::array(), hard = nlohmann::json::array();
          for (const auto row : classes.relevant) relevant.push_back(table.at(row).id);
          for (const auto row : classes.hard_negatives) hard.push_back(table.at(row).id);
          without_relevant += classes.relevant.empty() ? 1 : 0;
          file << nlohmann::json{{"id", split[c][q].id}, {"relevant", relevant}, {"hard_negatives", hard}}.dump()
               << '\n';
        }
      }
    });
  }
  manifest["classification"] = {{"questions", classified.questions.size()},
                                {"questions_without_relevant_passage", without_relevant},
                                {"depth", config.bm25.depth},
                                {"relevant_depth", config.bm25.relevant_depth},
                                {"top_without_answer", to_string(config.bm25.top_without_answer)}};
}

/// The stores to write, by name under stores/: every client's test and dev store, then the
/// chosen variants'.
std::vector<std::pair<std::string, const RowSet*>> stores_to_write(const CrabStores& stores, std::size_t clients,
                                                                   const std::vector<std::string>& variants) {
  const auto wants = [&](const std::string& variant) {
    return std::find(variants.begin(), variants.end(), variant) != variants.end();
  };
  std::vector<std::pair<std::string, const RowSet*>> written;
  for (std::size_t c = 0; c < clients; ++c) {
    const auto client = CrabLayout::client_name(static_cast<std::int64_t>(c + 1));
    written.push_back({"test/" + client, &stores.test[c]});
    written.push_back({"dev/" + client, &stores.dev[c]});
  }
  if (wants("REL")) written.push_back({"REL", &stores.rel});
  if (wants("IRR")) written.push_back({"IRR", &stores.irr});
  for (std::size_t c = 0; c < clients; ++c) {
    const auto client = CrabLayout::client_name(static_cast<std::int64_t>(c + 1));
    if (wants("REL-1")) written.push_back({"REL-1/" + client, &stores.rel1[c]});
    if (wants("SPLIT")) written.push_back({"SPLIT/" + client, &stores.split[c]});
    if (wants("PARTITION")) written.push_back({"PARTITION/" + client, &stores.partition[c]});
  }
  if (wants("ablations")) {
    for (const auto& [name, rows] : stores.ablations) written.push_back({"ablations/" + name, &rows});
  }
  return written;
}

/// stores/*/ids.txt and the stores' part of the manifest: passages by class of each store.
void write_store_ids(const CrabLayout& layout, const std::vector<std::pair<std::string, const RowSet*>>& written,
                     const CrabStores& stores, const CrabStoreInputs& inputs, const PassageTable& table,
                     nlohmann::json& manifest) {
  for (std::size_t c = 0; c < stores.test.size(); ++c) {
    const auto client = CrabLayout::client_name(static_cast<std::int64_t>(c + 1));
    manifest["stores"]["test/" + client] =
        class_counts(stores.test[c], relevant_rows(inputs.test[c]), hard_negative_rows(inputs.test[c]));
    manifest["stores"]["dev/" + client] =
        class_counts(stores.dev[c], relevant_rows(inputs.dev[c]), hard_negative_rows(inputs.dev[c]));
  }
  const auto held_out = [](const std::string& name) {
    return name.rfind("test/", 0) == 0 || name.rfind("dev/", 0) == 0;
  };
  for (const auto& [name, rows] : written) {
    write_ids(layout.store_ids(name), *rows, table);
    if (!held_out(name)) {
      manifest["stores"][name] = class_counts(*rows, stores.train_relevant, stores.train_hard_negatives);
    }
  }
}

nlohmann::json sampling_summary(const CrabStores& stores, std::size_t corpus_passages) {
  const auto sample = [&](const SampleSize& size, const char* per) {
    return nlohmann::json{
        {"fraction_of_corpus", size.fraction},
        {"requested", size.requested},
        {"used", size.used},
        {"used_fraction_of_corpus", static_cast<double>(size.used) / static_cast<double>(corpus_passages)},
        {"per", per}};
  };
  return {{"corpus_passages", corpus_passages},
          {"eligible_for_train_samples", stores.eligible},
          {"held_out_passages", stores.held_out.size()},
          {"train_relevant", stores.train_relevant.size()},
          {"train_hard_negatives", stores.train_hard_negatives.size()},
          {"test_relevant_in_several_test_stores", stores.test_relevant_in_several_stores},
          {"train_relevant_that_are_test_or_dev_passages", stores.train_relevant_held_out},
          {"test_sample", sample(stores.test_sample, "client (its test and dev stores)")},
          {"train_sample", sample(stores.train_sample, "REL, IRR, REL-1")},
          {"split_sample", sample(stores.split_sample, "client (SPLIT)")}};
}

}  // namespace

std::vector<std::string> crab_build_variants() {
  auto variants = store_variants();
  variants.push_back("ablations");
  return variants;
}

nlohmann::json build_crab(const CrabConfig& config, const std::string& resolved_config_yaml,
                          const std::filesystem::path& out, const std::vector<std::string>& variants) {
  for (const auto& variant : variants) {
    const auto known = crab_build_variants();
    CORAG_CHECK(std::find(known.begin(), known.end(), variant) != known.end(), "--variants: unknown variant '", variant,
                "' (", store_variant_list(", ", {"ablations"}), ")");
  }
  require_config_inputs(config.input_paths(), "crab-build-stores");
  nlohmann::json inputs = {{"corpus", describe_file(config.data.corpus)},
                           {"test_pool", describe_file(config.data.test_pool)}};
  for (const auto& file : config.data.train_pool) inputs["train_pool"].push_back(describe_file(file));
  if (!config.bm25.run.empty()) inputs["bm25_run"] = describe_file(config.bm25.run);
  const nlohmann::json identity = {{"inputs", inputs}, {"config", resolved_config_yaml}, {"variants", variants}};
  const CrabLayout layout(out);
  if (auto previous = finished_build(layout, identity)) return *previous;
  start_build(layout, identity);

  // Everything is computed and checked before anything but the BM25 index is written.
  const auto splits = make_crab_splits(config);
  const auto index_dir = prepare_bm25(config, layout, inputs["corpus"]);
  const PassageTable table(index_dir);
  const auto classified = classify_splits(config, splits, index_dir, table);
  CrabStoreInputs store_inputs;
  store_inputs.corpus_size = table.size();
  store_inputs.train = classified.by_split[0];
  store_inputs.dev = classified.by_split[1];
  store_inputs.test = classified.by_split[2];
  const auto stores = build_crab_stores(store_inputs, config.stores, static_cast<std::uint64_t>(config.build.seed));
  check_crab_invariants(stores, store_inputs, config.stores);

  nlohmann::json manifest = {{"format", "corag-crab-1"}, {"identity", identity}, {"seed", config.build.seed}};
  write_splits(layout, splits, config.shot_levels(), manifest);
  write_classification(config, layout, splits, classified, table, manifest);
  const auto written = stores_to_write(stores, splits.test.size(), variants);
  write_store_ids(layout, written, stores, store_inputs, table, manifest);
  manifest["sampling"] = sampling_summary(stores, table.size());
  if (!config.stores.embeddings.empty()) {
    StoreBuildOptions options;
    options.seed = static_cast<std::uint64_t>(config.build.seed);
    for (const auto& [name, rows] : written) {
      if (rows->empty()) continue;  // the "empty" ablation: training reads no passages, nothing to search
      compose_store({config.stores.embeddings}, layout.store_ids(name), layout.store_index(name), options);
    }
  }
  write_file_atomically(layout.manifest(), manifest.dump(2) + "\n");
  std::filesystem::remove(layout.build_marker());
  return manifest;
}

}  // namespace corag
