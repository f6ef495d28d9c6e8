#include "corag/models/random_checkpoint.hpp"

#include "corag/models/fid_reader.hpp"
#include "corag/models/retriever.hpp"
#include "corag/text/t5_tokenizer.hpp"
#include "corag/util/error.hpp"

namespace corag {

void write_random_retriever(const nlohmann::json& config, const std::filesystem::path& vocab_file,
                            const std::filesystem::path& out_dir, std::uint64_t seed) {
  auto tokenizer = WordPieceTokenizer::from_vocab_file(vocab_file, BasicTokenizerOptions{});
  auto json = config;
  if (!json.contains("vocab_size")) json["vocab_size"] = tokenizer.vocab_size();
  BertModel model(BertConfig::from_file(HfConfigFile(json, "the retriever config")));
  model->initialize(seed);
  Retriever retriever(model, model, std::move(tokenizer));
  retriever.save(out_dir);
}

void write_random_reader(const nlohmann::json& config, const std::filesystem::path& spiece_model,
                         const std::filesystem::path& out_dir, std::uint64_t seed, double relative_bias_std) {
  T5Tokenizer tokenizer(spiece_model);
  auto json = config;
  if (!json.contains("vocab_size")) json["vocab_size"] = tokenizer.vocab_size();
  T5Model model(T5Config::from_file(HfConfigFile(json, "the reader config")));
  model->initialize(seed, relative_bias_std);
  FidReader(model, std::move(tokenizer), {}).save(out_dir);
}

}  // namespace corag
