#include "corag/config/config_reader.hpp"
#include "corag/config/config_writer.hpp"
#include "corag/config/experiment_config.hpp"
#include "corag/config/runtime.hpp"
#include "corag/config/store_variants.hpp"
#include "corag/util/device.hpp"
#include "corag/util/device_spec.hpp"
#include "test_support.hpp"

using namespace corag;
using corag::test::error_message;
using corag::test::read_text;
using corag::test::TempDir;
using corag::test::write_text;

namespace {

std::string load_error(const TempDir& dir, const std::string& yaml, const std::vector<std::string>& overrides = {}) {
  write_text(dir / "c.yaml", yaml);
  return error_message([&] { load_config<ExperimentConfig>(dir / "c.yaml", overrides); });
}

}  // namespace

TEST_CASE("defaults are the paper's settings", "[config]") {
  const auto config = load_config<ExperimentConfig>("", {});
  CHECK(config.model.n_context == 40);
  CHECK(config.model.text_maxlength == 384);
  CHECK(config.train.lr == 4e-5);
  CHECK(config.train.batch_size == 64);
  CHECK(config.train.steps == 1000);
  CHECK(config.train.warmup_steps == 20);
  CHECK(config.train.temperature_gold == 0.01);
  CHECK(config.federated.rounds == 10);
  CHECK(config.federated.local_epochs == 64);
  CHECK(config.data.clients == 8);
  CHECK(config.store.index == "Flat");
  // Atlas's: the reader query is what the retriever embeds, the schedule's floor, AdamW's eps.
  CHECK(config.model.retriever_query == RetrieverQuery::reader);
  CHECK(config.train.lr_floor_ratio == 0.1);
  CHECK(config.train.adam_epsilon == 1e-6);
  CHECK(config.eval.include_train_store == false);
}

TEST_CASE("configs/crab16, 32 and 64 differ only in data.shots and start from the Atlas checkpoints", "[config]") {
  std::string reference;
  for (const int shots : {16, 32, 64}) {
    INFO(shots);
    auto config =
        load_config<ExperimentConfig>(std::string(PROJECT_CONFIG_DIR) + "/crab" + std::to_string(shots) + ".yaml", {});
    CHECK(config.data.shots == shots);
    // Relative to configs/: the checkout's models/ folder, wherever corag runs from.
    const auto checkout = std::filesystem::absolute(PROJECT_CONFIG_DIR).parent_path().lexically_normal();
    CHECK(config.model.reader == (checkout / "models/atlas-base/reader").string());
    CHECK(config.model.retriever == (checkout / "models/atlas-base/retriever").string());
    CHECK(config.train.mode == TrainMode::collaborative);
    config.data.shots = 0;
    const auto yaml = config_to_yaml(config);
    if (reference.empty()) reference = yaml;
    CHECK(yaml == reference);
  }
}

TEST_CASE(
    "relative paths resolve against the folder of the file that set them, a --set's against the working "
    "directory",
    "[config]") {
  TempDir dir;
  std::filesystem::create_directories(dir / "bases");
  write_text(dir / "bases/base.yaml",
             "model:\n  reader: models/reader\n  retriever: /abs/retriever\ndata:\n  crab_dir: ../crab\n");
  write_text(dir / "run.yaml",
             "extends: bases/base.yaml\nmodel:\n  reader: ./mine/reader\nstore:\n  embeddings: \"\"\n");
  const auto config = load_config<ExperimentConfig>(dir / "run.yaml", {"data.crab_dir=here/crab"});
  const auto root = std::filesystem::absolute(dir.path());
  CHECK(config.model.reader == (root / "mine/reader").string());                            // run.yaml's folder
  CHECK(config.model.retriever == "/abs/retriever");                                        // absolute: as written
  CHECK(config.data.crab_dir == (std::filesystem::current_path() / "here/crab").string());  // --set
  CHECK(config.store.embeddings.empty());                                                   // "" stays unset
  const auto inherited = load_config<ExperimentConfig>(dir / "run.yaml", {});
  CHECK(inherited.data.crab_dir == (root / "crab").string());  // bases/base.yaml's folder, then ..
  // The resolved config, written elsewhere, reads back the same.
  write_text(dir / "elsewhere.yaml", config_to_yaml(config));
  CHECK(config_to_yaml(load_config<ExperimentConfig>(dir / "elsewhere.yaml", {})) == config_to_yaml(config));
}

TEST_CASE("a config extends a base config key by key, errors name the file that set the key", "[config]") {
  TempDir dir;
  std::filesystem::create_directories(dir / "bases");
  write_text(dir / "bases/root.yaml", "model:\n  n_context: 4\n  retrieval: no\ntrain:\n  lr: 1.0e-3\n  steps: 9\n");
  write_text(dir / "bases/middle.yaml", "extends: root.yaml\ntrain:\n  steps: 20\n");
  write_text(dir / "top.yaml", "extends: bases/middle.yaml\nmodel:\n  n_context: 8\n");
  const auto config = load_config<ExperimentConfig>(dir / "top.yaml", {"train.lr=2e-5"});
  CHECK(config.model.n_context == 8);   // top.yaml
  CHECK_FALSE(config.model.retrieval);  // root.yaml, beside top.yaml's model key
  CHECK(config.train.steps == 20);      // middle.yaml over root.yaml
  CHECK(config.train.lr == 2e-5);       // --set over all of them
  // A bad value set in a base is reported at its own file and line.
  write_text(dir / "bases/root.yaml", "model:\n  n_context: 4\n  retrieval: no\ntrain:\n  lr: -1\n  steps: 9\n");
  CHECK_THAT(error_message([&] { load_config<ExperimentConfig>(dir / "top.yaml", {}); }),
             Catch::Contains((dir / "bases/root.yaml").string() + ":5"));
  // A section written as a scalar replaces the base's section (and is then refused as one).
  write_text(dir / "flat.yaml", "extends: bases/middle.yaml\ntrain: 3\n");
  CHECK_THAT(error_message([&] { load_config<ExperimentConfig>(dir / "flat.yaml", {}); }),
             Catch::Contains("flat.yaml:2"));
  // Cycles, a missing base and a base that is not a file name are errors naming the file.
  write_text(dir / "a.yaml", "extends: b.yaml\n");
  write_text(dir / "b.yaml", "extends: a.yaml\n");
  CHECK_THAT(error_message([&] { load_config<ExperimentConfig>(dir / "a.yaml", {}); }),
             Catch::Contains("b.yaml:1: extends") && Catch::Contains("a cycle"));
  write_text(dir / "self.yaml", "extends: self.yaml\n");
  CHECK_THAT(error_message([&] { load_config<ExperimentConfig>(dir / "self.yaml", {}); }), Catch::Contains("a cycle"));
  write_text(dir / "lost.yaml", "extends: nowhere.yaml\n");
  CHECK_THAT(error_message([&] { load_config<ExperimentConfig>(dir / "lost.yaml", {}); }),
             Catch::Contains("nowhere.yaml: config file not found"));
  write_text(dir / "list.yaml", "extends: [a.yaml]\n");
  CHECK_THAT(error_message([&] { load_config<ExperimentConfig>(dir / "list.yaml", {}); }),
             Catch::Contains("list.yaml:1: 'extends' must name a config file"));
}

TEST_CASE("a config file and --set overrides fill the typed structs", "[config]") {
  TempDir dir;
  write_text(dir / "c.yaml",
             "model:\n  reader: /models/flan-t5-base\n  retrieval: no\n"
             "train:\n  mode: collaborative\n  lr: 1.0e-4\n  steps: 50\n"
             "federated:\n  rounds: 3\n");
  const auto config = load_config<ExperimentConfig>(
      dir / "c.yaml", {"train.lr=2e-5", "runtime.device=cpu", "data.crab_dir=", "federated.rounds=4"});
  CHECK(config.model.reader == "/models/flan-t5-base");
  CHECK_FALSE(config.model.retrieval);
  CHECK(config.train.mode == TrainMode::collaborative);
  CHECK(config.train.lr == 2e-5);
  CHECK(config.train.steps == 50);
  CHECK(config.federated.rounds == 4);
  CHECK(config.runtime.device == "cpu");
  CHECK(config.data.crab_dir.empty());
}

TEST_CASE("unknown keys and sections are rejected with the nearest valid name", "[config]") {
  TempDir dir;
  const std::string file = (dir / "c.yaml").string();
  CHECK(load_error(dir, "train:\n  steps: 50\n  lrr: 0.1\n") ==
        file + ":3: unknown key 'train.lrr' (did you mean 'train.lr'?)");
  CHECK(load_error(dir, "trian:\n  lr: 0.1\n") == file + ":1: unknown section 'trian' (did you mean 'train'?)");
  CHECK_THAT(load_error(dir, "train:\n  zzzzzz: 1\n"),
             Catch::Contains("unknown key 'train.zzzzzz' (valid: mode, steps,"));
  CHECK(load_error(dir, "", {"train.warmup_step=3"}) ==
        "--set train.warmup_step=3: unknown key 'train.warmup_step' (did you mean 'train.warmup_steps'?)");
}

TEST_CASE("a key that is a list or a mapping is a config error, not an escaped YAML exception", "[config]") {
  // Found by fuzz_yaml_config: yaml-cpp's bad conversion escaped ConfigReader as an internal error.
  TempDir dir;
  const std::string file = (dir / "c.yaml").string();
  CHECK_THAT(load_error(dir, "? - a\n: 1\n"), Catch::Contains(file + ":1: a key is a list or mapping"));
  CHECK_THAT(load_error(dir, "train:\n  ? [x, y]\n  : 1\n"),
             Catch::Contains(file + ":2: a key in 'train' is a list or mapping"));
}

TEST_CASE("keys that were parsed but never read are gone, so setting one is an error", "[config]") {
  // Issue 20: they looked like settings and changed nothing.
  TempDir dir;
  for (const auto* setting : {"model.query_side_finetune=true", "store.embedding_dtype=float16",
                              "store.search_batch_size=64", "data.corpus=passages.jsonl"}) {
    INFO(setting);
    CHECK_THAT(load_error(dir, "", {setting}), Catch::Contains("unknown key"));
  }
}

TEST_CASE("a key or section written twice is refused, not resolved to its first value", "[config]") {
  // yaml-cpp answered with the first value and ignored the second (issue 24).
  TempDir dir;
  const std::string file = (dir / "c.yaml").string();
  CHECK(load_error(dir, "train:\n  lr: 0.1\n  steps: 5\n  lr: 0.2\n") ==
        file + ":4: 'train.lr' is repeated (first at line 2); a later value would be ignored");
  CHECK(load_error(dir, "train:\n  lr: 0.1\nmodel:\n  n_context: 4\ntrain:\n  steps: 5\n") ==
        file + ":5: 'train' is repeated (first at line 1); a later value would be ignored");
  // --set replaces a value: not a repetition.
  write_text(dir / "c.yaml", "train:\n  lr: 0.1\n");
  CHECK(load_config<ExperimentConfig>(dir / "c.yaml", {"train.lr=0.2"}).train.lr == 0.2);
}

TEST_CASE("type and range errors name the key and the line", "[config]") {
  TempDir dir;
  const std::string file = (dir / "c.yaml").string();
  CHECK(load_error(dir, "train:\n  mode: local\n  steps: many\n") ==
        file + ":3: train.steps: expected an integer, got 'many'");
  CHECK(load_error(dir, "train:\n  steps: 0\n") == file + ":2: train.steps: must be >= 1, got 0");
  CHECK(load_error(dir, "train:\n  temperature_gold: 0\n") == file + ":2: train.temperature_gold: must be > 0, got 0");
  CHECK(load_error(dir, "train:\n  lr: [1, 2]\n") == file + ":2: train.lr: expected a finite number, got a list");
  CHECK(load_error(dir, "model:\n  retrieval: maybe\n") ==
        file + ":2: model.retrieval: expected true or false, got 'maybe'");
  CHECK(load_error(dir, "train:\n  mode: federated\n") ==
        file + ":2: train.mode: must be one of local, centralized, collaborative; got 'federated'");
  CHECK(load_error(dir, "train:\n  mode: colaborative\n") ==
        file +
            ":2: train.mode: must be one of local, centralized, collaborative; got 'colaborative' "
            "(did you mean 'collaborative'?)");
  CHECK(load_error(dir, "train: 3\n") == file + ":1: section 'train' must be a mapping of keys, got '3'");
  CHECK(load_error(dir, "", {"runtime.threads=-1"}) ==
        "--set runtime.threads=-1: runtime.threads: must be >= 0 and <= 4096, got -1");
}

TEST_CASE("cross-field rules are checked", "[config]") {
  TempDir dir;
  const std::string file = (dir / "c.yaml").string();
  CHECK(load_error(dir, "train:\n  batch_size: 64\n  micro_batch_size: 10\n") ==
        file + ":3: train.micro_batch_size: must divide train.batch_size (64)");
  CHECK(load_error(dir, "runtime:\n  device: gpu\n") ==
        file + ":2: runtime.device: must be cpu, cuda, cuda:N or auto, got 'gpu'");
  CHECK(load_error(dir, "", {"store.variant=REL-2"}) ==
        "--set store.variant=REL-2: store.variant: must be REL, IRR, REL-1, SPLIT, PARTITION or ablations/<name>, got "
        "'REL-2'");
  CHECK(load_error(dir, "model:\n  retrieval: false\neval:\n  include_train_store: true\n") ==
        file + ":4: eval.include_train_store: needs model.retrieval: a closed-book model reads no store");
  CHECK(load_error(dir, "federated:\n  clients_per_round: 4\n  client_fraction: 0.5\n") ==
        file + ":2: federated.clients_per_round: set either clients_per_round or client_fraction, not both");
}

TEST_CASE("every problem is reported at once", "[config]") {
  TempDir dir;
  const std::string message = load_error(dir, "train:\n  steps: x\n  lrr: 1\neval:\n  split: val\n");
  CHECK_THAT(message, Catch::StartsWith("invalid config:\n"));
  CHECK_THAT(message, Catch::Contains("c.yaml:2: train.steps: expected an integer"));
  CHECK_THAT(message, Catch::Contains("c.yaml:3: unknown key 'train.lrr'"));
  CHECK_THAT(message, Catch::Contains("c.yaml:5: eval.split: must be one of test, dev; got 'val'"));
}

TEST_CASE("malformed files and overrides are clear errors", "[config]") {
  TempDir dir;
  const std::string file = (dir / "c.yaml").string();
  CHECK_THAT(load_error(dir, "train:\n  steps: [1, 2\n"),
             Catch::StartsWith(file + ":3:") && Catch::Contains("YAML syntax error"));
  CHECK(load_error(dir, "- a\n- b\n") ==
        file + ":1: a config file must be a mapping of sections (model:, train:, ...)");
  // Latin-1 bytes, even in a comment: a YAML file is Unicode text.
  CHECK(load_error(dir, "train:\n  lr: 0.1  # d\xe9j\xe0 vu\n") == file + ":2:15: not valid UTF-8");
  CHECK(load_error(dir, "\xff") == file + ":1:1: not valid UTF-8");
  CHECK(load_error(dir, "", {"train.lr"}) == "--set train.lr: expected section.key=value");
  CHECK(load_error(dir, "", {"lr=3"}) == "--set lr=3: the key must be section.key (e.g. train.lr)");
  CHECK(load_error(dir, "", {"train.x.y=3"}) == "--set train.x.y=3: the key must be section.key (e.g. train.lr)");
  CHECK(load_error(dir, "", {"trian.lr=3"}) == "--set trian.lr=3: unknown section 'trian' (did you mean 'train'?)");
  CHECK_THAT(error_message([] { load_config<ExperimentConfig>("/nonexistent.yaml", {}); }),
             Catch::Contains("/nonexistent.yaml: config file not found"));
}

TEST_CASE("the resolved config is complete and reads back to the same config", "[config]") {
  TempDir dir;
  const auto config = load_config<ExperimentConfig>(
      "", {"train.lr=4e-5", "model.reader=/m/t5 base", "store.variant=ablations/rel-only"});
  const std::string yaml = config_to_yaml(config);
  CHECK_THAT(yaml, Catch::Contains("lr: 4.0e-05"));
  CHECK_THAT(yaml, Catch::Contains("reader: \"/m/t5 base\""));
  CHECK_THAT(yaml, Catch::Contains("federated:"));
  const auto path = write_resolved_config(config, dir / "run");
  CHECK(path == dir / "run/config.resolved.yaml");
  CHECK(read_text(path) == yaml);
  const auto again = load_config<ExperimentConfig>(path, {});
  CHECK(config_to_yaml(again) == yaml);
  CHECK(again.train.lr == 4e-5);
}

TEST_CASE("runtime settings are applied in one place", "[config][runtime]") {
  RuntimeConfig runtime;
  runtime.device = "cpu";
  runtime.precision = Precision::automatic;
  runtime.threads = 2;
  runtime.seed = 7;
  const Runtime applied = apply_runtime(runtime);
  CHECK(applied.device.is_cpu());
  CHECK(applied.compute_dtype == torch::kFloat32);
  CHECK(applied.threads == 2);
  const auto first = torch::rand({3});
  apply_runtime(runtime);
  CHECK(torch::equal(first, torch::rand({3})));  // seeded

  if (!cuda_usable()) {
    runtime.device = "cuda";
    CHECK_THAT(error_message([&] { apply_runtime(runtime); }), Catch::StartsWith("runtime.device=cuda: "));
  }
  runtime.device = "auto";
  CHECK(apply_runtime(runtime).device.is_cuda() == cuda_usable());
  CHECK(is_device_spec("cuda:12"));
  CHECK_FALSE(is_device_spec("cuda:"));
  CHECK_FALSE(is_device_spec("cuda:x"));
  CHECK_THAT(error_message([] { resolve_device("tpu", "runtime.device"); }),
             Catch::Contains("runtime.device: unknown device 'tpu'"));
}

TEST_CASE("store variants: one list, named variants and one-level ablations", "[config]") {
  CHECK(store_variant_list(",") == "REL,IRR,REL-1,SPLIT,PARTITION");
  CHECK(store_variant_list(" / ", {"ablations"}) == "REL / IRR / REL-1 / SPLIT / PARTITION / ablations");
  for (const auto* name : {"REL", "IRR", "REL-1", "SPLIT", "PARTITION", "ablations/only-relevant"}) {
    INFO(name);
    CHECK(is_store_variant(name));
  }
  for (const auto* name : {"rel", "REL1", "ablations", "ablations/", "ablations/a/b", ""}) {
    INFO(name);
    CHECK_FALSE(is_store_variant(name));
  }
}

TEST_CASE("input paths a config names are checked by key before work starts", "[config]") {
  TempDir dir;
  write_text(dir / "file.txt", "x");
  std::filesystem::create_directories(dir / "folder");
  auto config = load_config<ExperimentConfig>("", {});
  config.model.reader = (dir / "folder").string();
  config.data.crab_dir = (dir / "file.txt").string();   // a file where a folder is needed
  config.model.retriever = (dir / "missing").string();  // missing
  config.store.embeddings = (dir / "folder").string();
  const auto message = error_message([&] { require_config_inputs(config.input_paths(), "corag train"); });
  CHECK(message ==
        "corag train: 2 inputs named by the config cannot be read:\n  data.crab_dir: " + (dir / "file.txt").string() +
            ": not a folder\n  model.retriever: " + (dir / "missing").string() + ": no such folder");
  // Closed-book runs read no retriever or store; unset paths are left to the config check.
  config.model.retrieval = false;
  config.data.crab_dir = (dir / "folder").string();
  CHECK_NOTHROW(require_config_inputs(config.input_paths(), "corag train"));
  CHECK_THAT(error_message([&] {
               require_config_inputs({{"data.test_pool", (dir / "folder").string(), InputKind::file}}, "x");
             }),
             Catch::Contains("data.test_pool: " + (dir / "folder").string() + ": not a regular file"));
}
