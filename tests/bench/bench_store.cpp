// Retrieval substrate throughput on this machine (figures for the notes, not assertions):
//   bench_store [scratch_dir] [passages=1000000] [threads=0]
// (c) runs first, so that its peak RSS is not that of the vectors of (b).
// (a) passage embedding with a bert-base-shaped random encoder (passages/s, 128 tokens each);
// (b) exact inner-product search over `passages` x 768 float32 vectors: FAISS IndexFlatIP and
//     torch matmul + top-k (what `corag retrieve` uses for Flat stores), for one query and a
//     batch of 64, with the effective scan rate against a measured memory read rate;
// (c) BM25 over a synthetic corpus of `passages` Zipf-distributed ~100-word passages: table
//     build, index build (time, peak RSS), top-50 query throughput.
#include <sys/resource.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <string>
#include <thread>

#include <torch/torch.h>

#include "corag/models/bert_model.hpp"
#include "corag/store/bm25_index.hpp"
#include "corag/store/faiss_index.hpp"
#include "corag/util/device.hpp"
#include "corag/util/rng.hpp"

namespace {

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

template <typename Work>
double time_once(Work&& work) {
  const auto start = std::chrono::steady_clock::now();
  work();
  return seconds_since(start);
}

double peak_rss_gib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / (1024.0 * 1024.0);
}

void write_synthetic_corpus(const std::filesystem::path& path, std::size_t passages) {
  // Zipf(1) over 50k made-up words, 80-120 words per passage, a 2-4 word title.
  constexpr std::size_t kVocabulary = 50000;
  std::vector<double> cumulative(kVocabulary);
  double total = 0;
  for (std::size_t i = 0; i < kVocabulary; ++i) cumulative[i] = (total += 1.0 / static_cast<double>(i + 1));
  corag::Rng rng(7);
  const auto word = [&] {
    const double u = rng.uniform_real() * total;
    const auto rank =
        static_cast<std::size_t>(std::lower_bound(cumulative.begin(), cumulative.end(), u) - cumulative.begin());
    std::string text = "w";
    for (auto r = rank + 1; r > 0; r /= 26) text += static_cast<char>('a' + r % 26);
    return text;
  };
  std::ofstream out(path);
  for (std::size_t i = 0; i < passages; ++i) {
    out << "{\"id\": \"" << i << "\", \"title\": \"";
    for (int w = 0, n = 2 + static_cast<int>(rng.uniform(3)); w < n; ++w) out << (w ? " " : "") << word();
    out << "\", \"text\": \"";
    for (int w = 0, n = 80 + static_cast<int>(rng.uniform(41)); w < n; ++w) out << (w ? " " : "") << word();
    out << "\"}\n";
  }
}

}  // namespace

int main(int argc, char** argv) {
  const std::filesystem::path scratch =
      argc > 1 ? argv[1] : std::filesystem::temp_directory_path() / "corag-bench-store";
  const std::size_t passages = argc > 2 ? std::stoul(argv[2]) : 1000000;
  const int threads = argc > 3 ? std::stoi(argv[3]) : 0;
  corag::set_thread_count(threads);
  const int workers = torch::get_num_threads();
  std::filesystem::create_directories(scratch);
  torch::NoGradGuard no_grad;
  std::printf("threads: %d, passages: %zu\n", workers, passages);

  {  // (c)
    const auto corpus = scratch / "synthetic.jsonl";
    const double write_seconds = time_once([&] { write_synthetic_corpus(corpus, passages); });
    std::printf("(c) synthetic corpus: %.1f MB written in %.1f s\n",
                static_cast<double>(std::filesystem::file_size(corpus)) / 1e6, write_seconds);
    const double table_seconds = time_once([&] { corag::PassageTable::build(corpus, scratch / "bm25"); });
    const corag::PassageTable table(scratch / "bm25");
    const double rss_before = peak_rss_gib();
    const double build_seconds =
        time_once([&] { corag::Bm25Index::build(table, scratch / "bm25", corag::Bm25Options{}, workers); });
    std::uintmax_t index_bytes = 0;
    for (const auto& entry : std::filesystem::directory_iterator(scratch / "bm25")) index_bytes += entry.file_size();
    std::printf(
        "(c) passage table: %.1f s; BM25 build: %.1f s on %d threads, peak RSS %.2f GiB (%.2f before), "
        "table + index on disk %.2f GB\n",
        table_seconds, build_seconds, workers, peak_rss_gib(), rss_before, static_cast<double>(index_bytes) / 1e9);
    const corag::Bm25Index index(scratch / "bm25");
    std::vector<std::string> queries;
    corag::Rng rng(3);
    for (int q = 0; q < 1000; ++q) {
      const auto passage = table.at(rng.uniform(table.size()));
      queries.emplace_back(passage.text.substr(0, 60));  // ~8 words
    }
    const double search_seconds = time_once([&] { index.search(queries, 50, workers); });
    std::printf("(c) BM25 top-50: %.1f queries/s on %d threads (1000 queries of ~8 words)\n", 1000 / search_seconds,
                workers);
  }
  {  // (a)
    corag::BertModel encoder(corag::BertConfig{});
    encoder->initialize(1);
    encoder->eval();
    const auto ids = torch::randint(5, 30000, {32, 128}, torch::kLong);
    const auto mask = torch::ones_like(ids);
    encoder->forward(ids.narrow(0, 0, 4), mask.narrow(0, 0, 4));
    const double seconds = time_once([&] { encoder->forward(ids, mask); });
    std::printf("(a) bert-base passage embedding: %.1f passages/s (32 x 128 tokens in %.2f s)\n", 32 / seconds,
                seconds);
  }

  {  // (b)
    const std::int64_t dim = 768;
    const auto vectors = torch::randn({static_cast<std::int64_t>(passages), dim});
    const double bytes = static_cast<double>(vectors.numel()) * 4.0;
    volatile float sink = 0;
    const double read_seconds = time_once([&] { sink = vectors.sum().item<float>(); });
    std::printf("(b) memory read (torch sum over the matrix): %.2f GB/s\n", bytes / read_seconds / 1e9);
    auto index = corag::FaissIndex::create("Flat", dim);
    index.add({vectors.data_ptr<float>(), vectors.size(0), dim});
    for (const std::int64_t batch : {1, 64}) {
      const auto queries = torch::randn({batch, dim});
      const corag::FloatRows query_rows{queries.data_ptr<float>(), batch, dim};
      index.search(query_rows, 50);
      const double faiss_seconds = time_once([&] { index.search(query_rows, 50); });
      const double torch_seconds = time_once([&] { torch::matmul(queries, vectors.t()).topk(50, 1); });
      std::printf(
          "(b) exact search %zu x %lld, batch %lld, top-50: FAISS Flat %.2f queries/s (scan %.2f GB/s), "
          "torch matmul+topk %.2f queries/s\n",
          passages, static_cast<long long>(dim), static_cast<long long>(batch), batch / faiss_seconds,
          bytes / faiss_seconds / 1e9, batch / torch_seconds);
    }
  }

  std::filesystem::remove_all(scratch);
  return 0;
}
