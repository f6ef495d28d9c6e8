// A program built against an installed corag: reads an experiment config, scores a prediction
// with the SQuAD metrics and round-trips text through a T5 tokenizer (corag's SentencePiece
// plugin, found in the install).
#include <exception>
#include <iostream>

#include "corag/config/config_reader.hpp"
#include "corag/config/experiment_config.hpp"
#include "corag/text/qa_metrics.hpp"
#include "corag/text/t5_tokenizer.hpp"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: consumer CONFIG SPIECE_MODEL\n";
    return 2;
  }
  try {
    const auto config = corag::load_config<corag::ExperimentConfig>(argv[1], {});
    const corag::T5Tokenizer tokenizer(argv[2]);
    const auto ids = tokenizer.encode("The Eiffel Tower is in Paris.");
    std::cout << "shots " << config.data.shots << "\n"
              << "mode " << corag::to_string(config.train.mode) << "\n"
              << "em " << corag::exact_match("the Eiffel tower!", "Eiffel Tower") << "\n"
              << "tokens " << ids.size() << "\n"
              << "decoded " << tokenizer.decode(ids) << "\n";
  } catch (const std::exception& error) {
    std::cerr << "error: " << error.what() << "\n";
    return 1;
  }
  return 0;
}
