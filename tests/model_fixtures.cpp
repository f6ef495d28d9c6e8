#include "model_fixtures.hpp"

#include <memory>

#include <nlohmann/json.hpp>

#include "corag/text/sentencepiece_model.hpp"
#include "corag/util/qa_reader.hpp"
#include "test_support.hpp"

namespace corag::test {
namespace {

const TempDir& fixture_dir() {
  static const auto dir = std::make_unique<TempDir>();
  return *dir;
}

}  // namespace

const std::filesystem::path& tiny_spiece_model() {
  static const std::filesystem::path model = [] {
    const auto corpus = fixture_dir() / "spiece_corpus.txt";
    {
      std::ofstream out(corpus);
      QaReader reader(std::string(CORAG_NQ_OPEN_DIR) + "/NQ-open.dev.jsonl");
      QaRecord record;
      while (reader.next(record)) {
        out << record.question << "\n";
        for (const auto& answer : record.answers) out << "title: " << answer << " context: " << answer << "\n";
      }
    }
    const auto prefix = fixture_dir() / "spiece";
    train_sentencepiece("--input=" + corpus.string() + " --model_prefix=" + prefix.string() +
                        " --vocab_size=256 --model_type=unigram --pad_id=0 --eos_id=1 --unk_id=2 --bos_id=-1"
                        " --character_coverage=1.0 --num_threads=2 --minloglevel=2 --input_sentence_size=4000");
    return std::filesystem::path(prefix.string() + ".model");
  }();
  return model;
}

const std::filesystem::path& tiny_vocab_file() {
  static const std::filesystem::path vocab = [] {
    const auto path = fixture_dir() / "vocab.txt";
    write_text(path,
               "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nun\n##aff\n##able\nwant\n##ed\n,\nrunn\n##ing\nthe\na\n"
               "who\nwrote\nwhat\nis\ncapital\nof\nfrance\nparis\n?\n.\n##s\nbook\ncity\nin\n");
    return path;
  }();
  return vocab;
}

std::string tiny_bert_config_json() {
  return nlohmann::json{{"hidden_size", 32},
                        {"num_hidden_layers", 2},
                        {"num_attention_heads", 4},
                        {"intermediate_size", 64},
                        {"max_position_embeddings", 64},
                        {"hidden_dropout_prob", 0.0},
                        {"attention_probs_dropout_prob", 0.0}}
      .dump();
}

std::string tiny_t5_config_json(bool v1_1) {
  nlohmann::json config = {{"d_model", 32},
                           {"d_kv", 8},
                           {"d_ff", 64},
                           {"num_layers", 2},
                           {"num_heads", 4},
                           {"relative_attention_num_buckets", 8},
                           {"relative_attention_max_distance", 20},
                           {"dropout_rate", 0.0}};
  if (v1_1) {
    config["feed_forward_proj"] = "gated-gelu";
    config["tie_word_embeddings"] = false;
    config["num_decoder_layers"] = 3;
  }
  return config.dump();
}

}  // namespace corag::test
