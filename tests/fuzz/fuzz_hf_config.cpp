// Hugging Face config.json of a T5 reader or a BERT retriever, up to the parameter count that
// is checked against the weights before a model is allocated.
#include "corag/models/bert_config.hpp"
#include "corag/models/hf_config_file.hpp"
#include "corag/models/t5_config.hpp"
#include "corag/util/json_strict.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  corag::fuzz::refusal_is_fine([&] {
    const corag::HfConfigFile file(
        corag::parse_json_strict(std::string_view(reinterpret_cast<const char*>(data), size), "config.json"),
        "config.json");
    corag::fuzz::refusal_is_fine([&] { corag::T5Config::from_file(file).parameter_count(); });
    corag::fuzz::refusal_is_fine([&] { corag::BertConfig::from_file(file).parameter_count(); });
  });
  return 0;
}
