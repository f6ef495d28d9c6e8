#include "corag/config/config_reader.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <sstream>

#include "corag/util/error.hpp"
#include "corag/util/json_strict.hpp"
#include "corag/util/nearest_name.hpp"
#include "corag/util/utf8.hpp"

namespace corag {
namespace {

std::string describe(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Null:
      return "nothing";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Map:
      return "a mapping";
    default:
      return "'" + node.Scalar() + "'";
  }
}

std::string format_number(double value) {
  std::ostringstream out;
  out << value;
  return out.str();
}

/// The range `value` should be in ("> 0", ">= 1 and <= 8"), or "" when it is inside.
std::string violated_range(double value, const Limits& limits) {
  const bool too_small = limits.min && (value < *limits.min || (limits.min_exclusive && value == *limits.min));
  const bool too_large = limits.max && value > *limits.max;
  if (!too_small && !too_large) return "";
  std::string range = limits.min ? (limits.min_exclusive ? "> " : ">= ") + format_number(*limits.min) : "";
  if (limits.max) range += (range.empty() ? "<= " : " and <= ") + format_number(*limits.max);
  return range;
}

/// "unknown key 'x' (did you mean 'y'?)"
std::string unknown_name_message(const std::string& what, const std::string& name, const std::string& prefix,
                                 const std::vector<std::string>& valid) {
  std::string message = "unknown " + what + " '" + prefix + name + "'";
  const std::string nearest = nearest_name(name, valid);
  if (!nearest.empty()) return message + " (did you mean '" + prefix + nearest + "'?)";
  std::string list;
  for (const auto& candidate : valid) list += (list.empty() ? "" : ", ") + candidate;
  return message + " (valid: " + list + ")";
}

}  // namespace

std::string ConfigDocument::locate(const std::string& key, const YAML::Node& node) const {
  const auto it = overrides.find(key);
  if (it != overrides.end()) return it->second;
  if (key.find('.') == std::string::npos) {  // a section: name the first --set that made it
    for (const auto& [overridden, origin] : overrides) {
      if (overridden.rfind(key + ".", 0) == 0) return origin;
    }
  }
  const auto base = base_files.find(key);
  const std::string name = base != base_files.end() ? base->second : file.empty() ? "config" : file;
  if (node.IsDefined() && node.Mark().line >= 0) return name + ":" + std::to_string(node.Mark().line + 1);
  return name;
}

std::filesystem::path ConfigDocument::folder_of(const std::string& key) const {
  if (overrides.count(key) > 0 || file.empty()) return std::filesystem::current_path();
  const auto base = base_files.find(key);
  const auto folder = std::filesystem::path(base != base_files.end() ? base->second : file).parent_path();
  return folder.empty() ? std::filesystem::current_path() : std::filesystem::absolute(folder);
}

namespace {

/// yaml-cpp keeps both entries of a repeated key and answers lookups with the first: a section
/// or key written twice would silently ignore the later one, so it is refused. So is a key that
/// is a list or a mapping (YAML's `? ...` complex keys), which no setting has.
void refuse_repeated_keys(const YAML::Node& map, const std::string& file, const std::string& prefix) {
  std::map<std::string, int> first_line;
  for (const auto& item : map) {
    const int line = item.first.Mark().line + 1;
    CORAG_CHECK(item.first.IsScalar(), file, ":", line, ": a key",
                prefix.empty() ? "" : " in '" + prefix.substr(0, prefix.size() - 1) + "'",
                " is a list or mapping; keys are plain names");
    const auto key = item.first.Scalar();
    const auto [seen, inserted] = first_line.emplace(key, line);
    CORAG_CHECK(inserted, file, ":", line, ": '", prefix, key, "' is repeated (first at line ", seen->second,
                "); a later value would be ignored");
    if (prefix.empty() && item.second.IsMap()) refuse_repeated_keys(item.second, file, key + ".");
  }
}

constexpr const char* kExtendsKey = "extends";
constexpr std::size_t kMaxBaseDepth = 16;

/// Records `file` as the source of section `name` and of its keys, dropping what a base had
/// recorded under the name.
void record_section(const std::string& name, const YAML::Node& section, const std::string& file,
                    std::map<std::string, std::string>& sources) {
  for (auto it = sources.begin(); it != sources.end();) {
    it = it->first.rfind(name + ".", 0) == 0 ? sources.erase(it) : std::next(it);
  }
  sources[name] = file;
  if (!section.IsMap()) return;
  for (const auto& item : section) sources[name + "." + item.first.Scalar()] = file;
}

/// `file` as a mapping of sections, read over the base it extends. `chain` holds the files that
/// extend it, to refuse a cycle; `sources` gets the file of each section and key.
YAML::Node load_config_file(const std::filesystem::path& file, std::vector<std::filesystem::path>& chain,
                            std::map<std::string, std::string>& sources) {
  CORAG_CHECK(std::filesystem::is_regular_file(file), file.string(), ": config file not found");
  const std::string text = read_file(file);
  // YAML is Unicode text; stray bytes would otherwise travel as they are into names and paths
  // that end up in JSON outputs, which cannot hold them.
  if (const auto invalid = first_invalid_utf8(text)) {
    const auto line_start = text.rfind('\n', *invalid);  // the byte itself is not a newline
    const auto line = std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(*invalid), '\n') + 1;
    const auto column = *invalid - (line_start == std::string::npos ? 0 : line_start + 1) + 1;
    throw_error(file.string(), ":", line, ":", column, ": not valid UTF-8");
  }
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    throw_error(file.string(), ":", e.mark.line + 1, ":", e.mark.column + 1, ": YAML syntax error: ", e.msg);
  }
  if (root.IsNull()) root = YAML::Node(YAML::NodeType::Map);
  CORAG_CHECK(root.IsMap(), file.string(), ":", root.Mark().line + 1,
              ": a config file must be a mapping of sections (model:, train:, ...)");
  refuse_repeated_keys(root, file.string(), "");
  const YAML::Node extends = root[kExtendsKey];
  if (!extends) {  // the file as it is, so that its keys keep their lines
    for (const auto& section : root) record_section(section.first.Scalar(), section.second, file.string(), sources);
    return root;
  }
  const auto where = file.string() + ":" + std::to_string(extends.Mark().line + 1);
  CORAG_CHECK(extends.IsScalar() && !extends.Scalar().empty(), where, ": 'extends' must name a config file");
  const auto base_file = file.parent_path() / extends.Scalar();
  const auto base_identity = std::filesystem::weakly_canonical(base_file);
  chain.push_back(std::filesystem::weakly_canonical(file));
  for (const auto& extending : chain) {
    CORAG_CHECK(extending != base_identity, where, ": extends ", base_file.string(),
                ", which is itself or extends back to it (a cycle)");
  }
  CORAG_CHECK(chain.size() <= kMaxBaseDepth, where, ": more than ", kMaxBaseDepth, " configs extend one another");
  YAML::Node merged = load_config_file(base_file, chain, sources);
  chain.pop_back();
  // A mapping is merged key by key into the base's mapping; anything else, or a section the base
  // lacks, takes the section whole.
  for (const auto& section : root) {
    const auto name = section.first.Scalar();
    if (name == kExtendsKey) continue;
    YAML::Node target = merged[name];
    if (!section.second.IsMap() || !target || !target.IsMap()) {
      merged[name] = section.second;
      record_section(name, section.second, file.string(), sources);
      continue;
    }
    for (const auto& item : section.second) {
      target[item.first.Scalar()] = item.second;
      sources[name + "." + item.first.Scalar()] = file.string();
    }
  }
  return merged;
}

}  // namespace

ConfigDocument load_config_document(const std::filesystem::path& file, const std::vector<std::string>& overrides) {
  ConfigDocument document;
  document.file = file.string();
  if (file.empty()) {
    document.root = YAML::Node(YAML::NodeType::Map);
  } else {
    std::vector<std::filesystem::path> chain;
    std::map<std::string, std::string> sources;
    document.root = load_config_file(file, chain, sources);
    for (const auto& [key, source] : sources) {
      if (source != document.file) document.base_files[key] = source;
    }
  }

  for (const std::string& assignment : overrides) {
    const std::string origin = "--set " + assignment;
    const auto equals = assignment.find('=');
    CORAG_CHECK(equals != std::string::npos, origin, ": expected section.key=value");
    const std::string key = assignment.substr(0, equals);
    const auto dot = key.find('.');
    CORAG_CHECK(
        dot != std::string::npos && dot > 0 && dot + 1 < key.size() && key.find('.', dot + 1) == std::string::npos,
        origin, ": the key must be section.key (e.g. train.lr)");
    const std::string section = key.substr(0, dot), name = key.substr(dot + 1);
    const std::string text = assignment.substr(equals + 1);
    YAML::Node value;
    try {
      value = text.empty() ? YAML::Node(std::string()) : YAML::Load(text);
    } catch (const YAML::Exception& e) {
      throw_error(origin, ": cannot parse the value: ", e.msg);
    }
    if (!document.root[section] || document.root[section].IsNull()) {
      document.root[section] = YAML::Node(YAML::NodeType::Map);
    }
    YAML::Node section_node = document.root[section];
    CORAG_CHECK(section_node.IsMap(), origin, ": '", section, "' in the config file is not a mapping");
    section_node[name] = value;
    document.overrides[key] = origin;
  }
  return document;
}

ConfigReader::ConfigReader(const ConfigDocument& document) : document_(document) {}

void ConfigReader::begin_section(const std::string& name) {
  section_names_.push_back(name);
  section_name_ = name;
  field_names_.clear();
  section_node_.reset();
  const YAML::Node& root = document_.root;
  const YAML::Node node = root[name];
  if (!node.IsDefined() || node.IsNull()) return;
  if (!node.IsMap()) {
    problems_.push_back(document_.locate(name, node) + ": section '" + name + "' must be a mapping of keys, got " +
                        describe(node));
    return;
  }
  section_node_.emplace(node);
}

void ConfigReader::end_section() {
  if (!section_node_) return;
  for (const auto& item : *section_node_) {
    const std::string key = item.first.as<std::string>();
    bool known = false;
    for (const auto& name : field_names_) known = known || name == key;
    if (!known) {
      problems_.push_back(document_.locate(section_name_ + "." + key, item.first) + ": " +
                          unknown_name_message("key", key, section_name_ + ".", field_names_));
    }
  }
}

YAML::Node ConfigReader::value_node(const char* key) {
  field_names_.emplace_back(key);
  if (!section_node_) return YAML::Node(YAML::NodeType::Undefined);
  const YAML::Node& section = *section_node_;
  return section[key];
}

void ConfigReader::problem(const char* key, const YAML::Node& node, const std::string& message) {
  problems_.push_back(document_.locate(full_key(key), node) + ": " + full_key(key) + ": " + message);
}

void ConfigReader::field(const char* key, bool& value) {
  const YAML::Node node = value_node(key);
  if (!node.IsDefined()) return;
  bool parsed = false;
  if (!node.IsScalar() || !YAML::convert<bool>::decode(node, parsed)) {
    problem(key, node, "expected true or false, got " + describe(node));
    return;
  }
  value = parsed;
}

void ConfigReader::field(const char* key, std::int64_t& value, Limits limits) {
  const YAML::Node node = value_node(key);
  if (!node.IsDefined()) return;
  std::int64_t parsed = 0;
  if (!node.IsScalar() || !YAML::convert<std::int64_t>::decode(node, parsed)) {
    problem(key, node, "expected an integer, got " + describe(node));
    return;
  }
  if (const std::string range = violated_range(static_cast<double>(parsed), limits); !range.empty()) {
    problem(key, node, "must be " + range + ", got " + std::to_string(parsed));
    return;
  }
  value = parsed;
}

void ConfigReader::field(const char* key, double& value, Limits limits) {
  const YAML::Node node = value_node(key);
  if (!node.IsDefined()) return;
  double parsed = 0;
  if (!node.IsScalar() || !YAML::convert<double>::decode(node, parsed) || !std::isfinite(parsed)) {
    problem(key, node, "expected a finite number, got " + describe(node));
    return;
  }
  if (const std::string range = violated_range(parsed, limits); !range.empty()) {
    problem(key, node, "must be " + range + ", got " + format_number(parsed));
    return;
  }
  value = parsed;
}

void ConfigReader::field(const char* key, std::string& value) {
  const YAML::Node node = value_node(key);
  if (!node.IsDefined()) return;
  if (node.IsNull()) {
    value.clear();
  } else if (node.IsScalar()) {
    value = node.Scalar();
  } else {
    problem(key, node, "expected a string, got " + describe(node));
  }
}

void ConfigReader::field(const char* key, std::string& value, const Choices& choices) {
  const YAML::Node node = value_node(key);
  if (!node.IsDefined()) return;
  if (!node.IsScalar()) {
    problem(key, node, "expected one of the listed names, got " + describe(node));
    return;
  }
  for (const auto& choice : choices) {
    if (choice == node.Scalar()) {
      value = choice;
      return;
    }
  }
  std::string list;
  for (const auto& choice : choices) list += (list.empty() ? "" : ", ") + choice;
  std::string message = "must be one of " + list + "; got '" + node.Scalar() + "'";
  const std::string nearest = nearest_name(node.Scalar(), choices);
  if (!nearest.empty()) message += " (did you mean '" + nearest + "'?)";
  problem(key, node, message);
}

void ConfigReader::field(const char* key, std::vector<std::string>& value) {
  const YAML::Node node = value_node(key);
  if (!node.IsDefined()) return;
  if (node.IsNull()) {
    value.clear();
    return;
  }
  if (!node.IsSequence()) {
    problem(key, node, "expected a list, got " + describe(node));
    return;
  }
  std::vector<std::string> parsed;
  for (const auto& item : node) {
    if (!item.IsScalar()) {
      problem(key, item, "list items must be strings, got " + describe(item));
      return;
    }
    parsed.push_back(item.Scalar());
  }
  value = std::move(parsed);
}

void ConfigReader::path(const char* key, std::string& value) {
  if (!value_node(key).IsDefined()) return;
  field(key, value);
  if (!value.empty() && std::filesystem::path(value).is_relative()) {
    value = (document_.folder_of(full_key(key)) / value).lexically_normal().string();
  }
}

void ConfigReader::path(const char* key, std::vector<std::string>& value) {
  if (!value_node(key).IsDefined()) return;
  field(key, value);
  const auto folder = document_.folder_of(full_key(key));
  for (auto& item : value) {
    if (!item.empty() && std::filesystem::path(item).is_relative()) item = (folder / item).lexically_normal().string();
  }
}

YAML::Node ConfigReader::node_of(const std::string& key) const {
  const auto dot = key.find('.');
  const YAML::Node& root = document_.root;
  const YAML::Node section = root[key.substr(0, dot)];
  if (dot == std::string::npos || !section.IsDefined() || !section.IsMap())
    return YAML::Node(YAML::NodeType::Undefined);
  return section[key.substr(dot + 1)];
}

void ConfigReader::add_problems(const std::vector<ConfigProblem>& problems) {
  for (const auto& [key, message] : problems) {
    problems_.push_back(document_.locate(key, node_of(key)) + ": " + key + ": " + message);
  }
}

void ConfigReader::finish() {
  for (const auto& item : document_.root) {
    const std::string name = item.first.as<std::string>();
    bool known = false;
    for (const auto& section : section_names_) known = known || section == name;
    if (!known) {
      problems_.push_back(document_.locate(name, item.first) + ": " +
                          unknown_name_message("section", name, "", section_names_));
    }
  }
  if (problems_.empty()) return;
  std::string message = problems_.size() == 1 ? problems_.front() : "invalid config:";
  if (problems_.size() > 1) {
    for (const auto& text : problems_) message += "\n  " + text;
  }
  throw Error(message);
}

}  // namespace corag
