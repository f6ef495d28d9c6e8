#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>

#include "commands.hpp"
#include "corag/util/hf_model_tensors.hpp"
#include "corag/util/safetensors_reader.hpp"

namespace corag::cli {
namespace {

void print_entry(const SafetensorsEntry& entry, std::uint64_t& total_bytes, std::uint64_t& total_values) {
  std::printf("%-64s %-5s %s\n", entry.name.c_str(), std::string(safetensors_dtype_name(entry.dtype)).c_str(),
              shape_text(entry.shape).c_str());
  total_bytes += entry.end - entry.begin;
  total_values += (entry.end - entry.begin) / element_size(entry.dtype);
}

}  // namespace

void add_inspect_command(CLI::App& app) {
  auto path = std::make_shared<std::string>();
  auto* command = app.add_subcommand(
      "inspect", "list the tensors of a .safetensors file or a Hugging Face model directory (sharded too)");
  command->add_option("path", *path, "file.safetensors or model directory")->required()->check(CLI::ExistingPath);
  command->callback([path] {
    std::uint64_t bytes = 0, values = 0;
    std::vector<const SafetensorsEntry*> entries;
    const SafetensorsMetadata* metadata = nullptr;
    std::string files;
    std::unique_ptr<HfModelTensors> checkpoint;
    std::unique_ptr<SafetensorsReader> file;
    if (std::filesystem::is_directory(*path)) {
      checkpoint = std::make_unique<HfModelTensors>(*path);
      for (const auto& name : checkpoint->names()) entries.push_back(checkpoint->find(name));
      metadata = &checkpoint->metadata();
      files = " in " + std::to_string(checkpoint->file_count()) + " file(s)";
    } else {
      file = std::make_unique<SafetensorsReader>(*path);
      for (const auto& entry : file->entries()) entries.push_back(&entry);
      metadata = &file->metadata();
    }
    for (const auto* entry : entries) print_entry(*entry, bytes, values);
    for (const auto& [key, value] : *metadata) std::printf("metadata %s = %s\n", key.c_str(), value.c_str());
    std::printf("%zu tensors%s", entries.size(), files.c_str());
    std::printf(", %llu values, %.1f MiB\n", static_cast<unsigned long long>(values),
                static_cast<double>(bytes) / (1 << 20));
  });
}

}  // namespace corag::cli
