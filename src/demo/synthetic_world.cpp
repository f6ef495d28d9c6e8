#include "corag/demo/synthetic_world.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <set>
#include <string>
#include <vector>

#include "corag/text/whitespace_words.hpp"
#include "corag/util/atomic_file.hpp"
#include "corag/util/error.hpp"
#include "corag/util/rng.hpp"

namespace corag {
namespace {

using Strings = std::vector<std::string>;

const Strings kSyllables = {"al",  "bar", "cel", "dor", "en",   "fal", "gor", "hal", "is",  "jor", "kel", "lan",
                            "mor", "nel", "or",  "pel", "quin", "ras", "sel", "tor", "ul",  "ven", "wyn", "zar",
                            "bri", "cas", "dre", "fen", "gil",  "mar", "rin", "tal", "ver", "lo",  "na",  "ce"};
const Strings kPlaceSuffixes = {"", "", "ford", "holm", "mere", "gard", "wick", "stead", "port"};
const Strings kOccupations = {"painter",  "engineer",   "poet",     "physician", "architect", "composer",
                              "merchant", "astronomer", "sculptor", "botanist",  "judge",     "cartographer"};
const Strings kIndustries = {"Ironworks", "Shipyards", "Trading Company", "Bank",      "Press",   "Observatory",
                             "Railway",   "Mills",     "Guild",           "Institute", "Foundry", "Brewery"};
const Strings kWorkKinds = {"novel", "opera", "symphony", "play", "film", "painting"};
const Strings kAdjectives = {"Silent", "Crimson", "Hidden", "Last",    "Golden", "Broken", "Distant", "Northern",
                             "Quiet",  "Burning", "Pale",   "Endless", "Winter", "Lost",   "Bright",  "Hollow"};
const Strings kNouns = {"Harbour", "Garden", "Crown",  "Lantern", "River", "Orchard", "Tower", "Voyage", "Mirror",
                        "Forest",  "Bridge", "Letter", "Meadow",  "Comet", "Island",  "Bell",  "Falcon", "Gate"};
const Strings kFestivalKinds = {"Music Festival", "Lantern Fair", "Harvest Games",
                                "Book Fair",      "Regatta",      "Theatre Festival"};
const Strings kOrdinals = {"First", "Second", "Third", "Fourth", "Fifth", "Sixth", "Seventh", "Eighth"};
// Sentence frames that give every passage its own wording around the facts: {S} the subject,
// {Y} a year, {C} a place, {a}/{b} adjectives, {n}/{m} nouns (drawn per sentence).
const Strings kColour = {
    "In {Y}, {S} was mentioned in a report on the {a} {n} of {C}.",
    "A {a} {n} associated with {S} is kept in a collection in {C}.",
    "Records from {Y} link {S} with the {a} {n} trade of {C}.",
    "{S} appears in a {a} survey of {C} compiled in {Y}.",
    "Travellers who reached {C} in {Y} wrote about {S} and a {a} {n}.",
    "A {a} {n} near {C} was named after {S} in {Y}.",
    "Accounts from {Y} describe {S} as {a} and {b}.",
    "Letters about {S} mention a {a} {n} and a {b} {m}.",
    "Scholars in {C} have studied {S} since {Y}.",
    "{S} is the subject of a {a} {n} painted in {Y}.",
};
const Strings kLowerAdjectives = {"quiet",    "crimson", "hidden",  "narrow", "golden",   "broken", "distant",
                                  "northern", "modest",  "burning", "pale",   "endless",  "wintry", "forgotten",
                                  "bright",   "hollow",  "stern",   "gentle", "restless", "ornate"};
const Strings kLowerNouns = {"harbour", "garden", "crown",    "lantern", "orchard", "tower",  "voyage", "mirror",
                             "forest",  "bridge", "letter",   "meadow",  "comet",   "island", "bell",   "falcon",
                             "gate",    "ledger", "fountain", "map",     "loom",    "compass"};
const Strings kNoiseTopics = {"Crop rotation", "Tidal pools",     "Glassblowing", "Canal locks",     "Beekeeping",
                              "Weather lore",  "Dry stone walls", "Salt marshes", "Bookbinding",     "Sundials",
                              "Peat cutting",  "Rope making",     "Lighthouses",  "Terrace farming", "Clock repair"};
const Strings kNoiseSentences = {
    "The practice varies from one valley to the next and depends on the season.",
    "Tools for the work were traditionally made from local wood and iron.",
    "Apprentices learned the craft over many years under an experienced master.",
    "Careful records were kept of yields, costs and the state of the weather.",
    "In wet years the work was delayed and often had to be repeated.",
    "Modern methods have replaced much of the older technique, though not everywhere.",
    "The subject is discussed in many handbooks written for farmers and builders.",
    "Regional names for the same object differ widely and cause some confusion.",
    "Good materials were expensive, so repairs were preferred to replacement.",
    "Children often helped with the simpler tasks during the summer months.",
    "The knowledge was passed on mostly by word of mouth.",
    "Some communities held small gatherings to mark the end of the season.",
    "Travellers described the landscape shaped by this activity as orderly and calm.",
    "Surveys from the last century list hundreds of small workshops.",
};

struct Person {
  std::string name, occupation, pronoun, possessive;
  int birth_year = 0;
  std::size_t birthplace = 0, employer = 0;
  std::ptrdiff_t work = -1;
  bool has_namesake = false;
};
struct Place {
  std::string name, country, river;
  int founded = 0;
};
struct Organisation {
  std::string name, industry;
  int founded = 0;
  std::size_t founder = 0, headquarters = 0;
};
struct Work {
  std::string title, kind;
  int year = 0;
  std::size_t creator = 0;
};
struct Festival {
  std::string name;
  std::size_t city = 0;
  std::vector<int> years;
};
struct Question {
  std::string question, answer;
};

/// "a" before a vowel becomes "an" ("an engineer", "An endless bell"): the frames put articles
/// before words drawn at random.
std::string with_articles(const std::string& text) {
  const auto words = split_words(text);
  std::string out;
  for (std::size_t i = 0; i < words.size(); ++i) {
    auto word = words[i];
    if ((word == "a" || word == "A") && i + 1 < words.size() &&
        std::string("aeiouAEIOU").find(words[i + 1][0]) != std::string::npos) {
      word += "n";
    }
    out += (i ? " " : "") + word;
  }
  return out;
}

std::string capitalised(std::string word) {
  if (!word.empty()) word[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(word[0])));
  return word;
}

class World {
 public:
  World(const SynthWorldConfig& config)
      : config_(config), rng_(derive_seed(static_cast<std::uint64_t>(config.seed), "synth")) {}

  void generate() {
    make_places();
    make_people();
    make_organisations();
    make_works();
    link_people();
    make_festivals();
  }

  const Strings& passages() const { return passages_; }

  void render_passages() {
    // Who was born where and who worked where, in people order, in one pass over the people.
    std::vector<Strings> natives(places_.size());
    std::vector<const Person*> first_staff(organisations_.size(), nullptr);
    for (const auto& person : people_) {
      if (natives[person.birthplace].size() < 3) natives[person.birthplace].push_back(person.name);
      if (first_staff[person.employer] == nullptr) first_staff[person.employer] = &person;
    }
    for (std::size_t i = 0; i < people_.size(); ++i) person_passage(i);
    for (std::size_t i = 0; i < places_.size(); ++i) place_passage(i, natives[i]);
    for (std::size_t i = 0; i < organisations_.size(); ++i) organisation_passage(i, first_staff[i]);
    for (std::size_t i = 0; i < works_.size(); ++i) work_passage(i);
    for (const auto& festival : festivals_) festival_passages(festival);
    for (std::int64_t i = 0; i < config_.noise_passages; ++i) noise_passage();
  }

  std::vector<Question> questions() {
    std::vector<Question> all;
    for (std::size_t i = 0; i < people_.size(); ++i) {
      const auto& p = people_[i];
      const auto who = reference(p);
      all.push_back(
          {pick({"Where was " + who + " born?", "In which city was " + who + " born?"}), places_[p.birthplace].name});
      all.push_back(
          {pick({"In what year was " + who + " born?", "When was " + who + " born?"}), std::to_string(p.birth_year)});
      all.push_back({pick({"Which organisation did " + who + " work for?", "Where did " + who + " work?"}),
                     organisations_[p.employer].name});
      if (!p.has_namesake) all.push_back({"What was the occupation of " + who + "?", p.occupation});
    }
    for (const auto& place : places_) {
      all.push_back({"In which country is " + place.name + "?", place.country});
      all.push_back(
          {pick({"Which river flows through " + place.name + "?", "On which river does " + place.name + " lie?"}),
           place.river});
      all.push_back({"When was " + place.name + " founded?", std::to_string(place.founded)});
    }
    for (const auto& org : organisations_) {
      all.push_back({pick({"Who founded " + org.name + "?", "Who was the founder of " + org.name + "?"}),
                     people_[org.founder].name});
      all.push_back({pick({"Where is " + org.name + " headquartered?", "In which city is " + org.name + " based?"}),
                     places_[org.headquarters].name});
      all.push_back({"In what year was " + org.name + " founded?", std::to_string(org.founded)});
    }
    for (const auto& work : works_) {
      all.push_back({pick({"Who created the " + work.kind + " " + work.title + "?",
                           "Who is the author of the " + work.kind + " " + work.title + "?"}),
                     people_[work.creator].name});
      all.push_back(
          {"In what year was the " + work.kind + " " + work.title + " first presented?", std::to_string(work.year)});
    }
    for (const auto& festival : festivals_) {
      for (std::size_t e = 0; e < festival.years.size(); ++e) {
        all.push_back({"In what year was the " + kOrdinals[e] + " " + festival.name + " held?",
                       std::to_string(festival.years[e])});
      }
    }
    rng_.shuffle(all);
    std::set<std::string> seen;
    std::vector<Question> chosen;
    for (auto& q : all) {
      if (static_cast<std::int64_t>(chosen.size()) == config_.questions) break;
      if (seen.insert(q.question).second) chosen.push_back(std::move(q));
    }
    return chosen;
  }

  nlohmann::json counts() const {
    return {{"people", people_.size()},    {"places", places_.size()},       {"organisations", organisations_.size()},
            {"works", works_.size()},      {"festivals", festivals_.size()}, {"festival_editions", editions()},
            {"passages", passages_.size()}};
  }

 private:
  std::size_t editions() const {
    std::size_t count = 0;
    for (const auto& festival : festivals_) count += festival.years.size();
    return count;
  }
  const std::string& pick(const Strings& options) { return options[rng_.uniform(options.size())]; }
  int year(int from, int to) {
    return from + static_cast<int>(rng_.uniform(static_cast<std::uint64_t>(to - from + 1)));
  }

  std::string word(int min_syllables, int max_syllables) {
    const int count =
        min_syllables + static_cast<int>(rng_.uniform(static_cast<std::uint64_t>(max_syllables - min_syllables + 1)));
    std::string text;
    for (int i = 0; i < count; ++i) text += pick(kSyllables);
    return capitalised(text);
  }
  /// A name no other entity has (the namesakes are made on purpose, elsewhere).
  template <typename Make>
  std::string unique(Make&& make) {
    for (int attempt = 0; attempt < 1000; ++attempt) {
      auto name = make();
      if (used_.insert(name).second) return name;
    }
    throw_error("synth: cannot find enough distinct names; lower the entity counts");
  }

  void make_places() {
    Strings countries, rivers;
    for (int i = 0; i < 8; ++i) countries.push_back(unique([&] { return word(2, 3); }));
    for (int i = 0; i < 24; ++i) rivers.push_back(unique([&] { return "the " + word(1, 2) + " River"; }));
    for (std::int64_t i = 0; i < config_.places; ++i) {
      Place place;
      place.name = unique([&] { return word(1, 2) + pick(kPlaceSuffixes); });
      place.country = pick(countries);
      place.river = pick(rivers);
      place.founded = year(900, 1700);
      places_.push_back(place);
    }
  }

  void make_people() {
    Strings surnames;
    const auto families = std::max<std::int64_t>(2, config_.people / 3);
    for (std::int64_t i = 0; i < families; ++i) surnames.push_back(unique([&] { return word(2, 3); }));
    const auto namesakes = static_cast<std::int64_t>(config_.namesake_fraction * static_cast<double>(config_.people));
    const auto originals = static_cast<std::uint64_t>(config_.people - namesakes);
    for (std::int64_t i = 0; i < config_.people; ++i) {
      Person person;
      if (static_cast<std::uint64_t>(i) >= originals) {
        // A namesake: the full name of an earlier person, told apart by the occupation.
        auto& twin = people_[rng_.uniform(originals)];
        person.name = twin.name;
        twin.has_namesake = person.has_namesake = true;
      } else {
        person.name = unique([&] { return word(1, 2) + " " + pick(surnames); });
      }
      person.occupation = pick(kOccupations);
      const bool she = rng_.uniform(2) == 0;
      person.pronoun = she ? "She" : "He";
      person.possessive = she ? "her" : "his";
      person.birth_year = year(1650, 1950);
      person.birthplace = rng_.uniform(places_.size());
      people_.push_back(person);
    }
    // People who share a name must differ in occupation, which questions and titles name.
    std::set<std::pair<std::string, std::string>> seen;
    for (auto& person : people_) {
      while (!seen.insert({person.name, person.occupation}).second) person.occupation = pick(kOccupations);
    }
  }

  void make_organisations() {
    for (std::int64_t i = 0; i < config_.organisations; ++i) {
      Organisation org;
      org.industry = pick(kIndustries);
      org.name = unique([&] { return word(2, 2) + " " + org.industry; });
      org.founded = year(1600, 1900);
      org.founder = rng_.uniform(people_.size());
      org.headquarters = rng_.uniform(places_.size());
      organisations_.push_back(org);
    }
  }

  void make_works() {
    for (std::int64_t i = 0; i < config_.works; ++i) {
      Work work;
      work.kind = pick(kWorkKinds);
      work.title = unique([&] {
        return rng_.uniform(2) == 0 ? "The " + pick(kAdjectives) + " " + pick(kNouns)
                                    : pick(kNouns) + " of " + word(1, 2);
      });
      work.creator = rng_.uniform(people_.size());
      work.year = people_[work.creator].birth_year + year(20, 60);
      works_.push_back(work);
    }
  }

  void link_people() {
    for (auto& person : people_) person.employer = rng_.uniform(organisations_.size());
    for (std::size_t w = 0; w < works_.size(); ++w) {
      auto& creator = people_[works_[w].creator];
      if (creator.work < 0) creator.work = static_cast<std::ptrdiff_t>(w);
    }
  }

  void make_festivals() {
    for (std::int64_t i = 0; i < config_.festivals; ++i) {
      Festival festival;
      festival.city = rng_.uniform(places_.size());
      festival.name = unique([&] { return places_[festival.city].name + " " + pick(kFestivalKinds); });
      const auto editions = 3 + rng_.uniform(4);
      int y = year(1750, 1900);
      for (std::uint64_t e = 0; e < editions; ++e) {
        festival.years.push_back(y);
        y += year(1, 6);
      }
      festivals_.push_back(festival);
    }
  }

  std::string reference(const Person& p) const {
    return p.has_namesake ? "the " + p.occupation + " " + p.name : p.name;
  }
  std::string title(const Person& p) const { return p.has_namesake ? p.name + " (" + p.occupation + ")" : p.name; }

  /// Adds sentences about `subject` in the colour frames until the text has `min_words` words.
  std::string padded(std::string text, const std::string& subject, std::size_t default_words) {
    const auto min_words =
        static_cast<std::size_t>(std::lround(config_.padding_scale * static_cast<double>(default_words)));
    const auto words = [](const std::string& s) {
      return static_cast<std::size_t>(std::count(s.begin(), s.end(), ' ')) + 1;
    };
    Strings frames = kColour;
    rng_.shuffle(frames);
    for (std::size_t i = 0; words(text) < min_words && i < frames.size(); ++i) {
      std::string sentence = frames[i];
      const std::pair<const char*, std::string> slots[] = {{"{S}", subject},
                                                           {"{Y}", std::to_string(year(1600, 1950))},
                                                           {"{C}", places_[rng_.uniform(places_.size())].name},
                                                           {"{a}", pick(kLowerAdjectives)},
                                                           {"{b}", pick(kLowerAdjectives)},
                                                           {"{n}", pick(kLowerNouns)},
                                                           {"{m}", pick(kLowerNouns)}};
      for (const auto& [slot, value] : slots) {
        for (auto at = sentence.find(slot); at != std::string::npos; at = sentence.find(slot))
          sentence.replace(at, std::string(slot).size(), value);
      }
      text += " " + capitalised(sentence);
    }
    return text;
  }

  void add_passage(const std::string& title, const std::string& text) {
    passages_.push_back(
        nlohmann::json{{"id", "p" + std::to_string(passages_.size())}, {"title", title}, {"text", with_articles(text)}}
            .dump());
  }

  void person_passage(std::size_t index) {
    const auto& p = people_[index];
    const auto& city = places_[p.birthplace].name;
    const auto& org = organisations_[p.employer].name;
    const auto year = std::to_string(p.birth_year);
    std::string text =
        pick({p.name + " was a " + p.occupation + " born in " + city + " in " + year + ".",
              "Born in " + city + " in " + year + ", " + p.name + " became a well-known " + p.occupation + ".",
              p.name + " (born " + year + " in " + city + ") was a " + p.occupation + "."});
    text += " " + pick({p.pronoun + " worked for " + org + " for most of " + p.possessive + " career.",
                        "For many years " + p.name + " was employed by " + org + ".",
                        p.pronoun + " joined " + org + " as a young " + p.occupation + "."});
    if (p.work >= 0) {
      const auto& work = works_[static_cast<std::size_t>(p.work)];
      text += " " + pick({p.pronoun + " is best remembered for the " + work.kind + " " + work.title + ".",
                          "The " + work.kind + " " + work.title + " remains " + p.possessive + " best-known work."});
    }
    add_passage(title(p), padded(text, p.name, 55 + rng_.uniform(30)));
  }

  void place_passage(std::size_t index, const Strings& natives) {
    const auto& place = places_[index];
    std::string text = pick({place.name + " is a town in " + place.country + " on the banks of " + place.river + ".",
                             place.name + " lies on " + place.river + " in " + place.country + "."});
    text += " " + pick({"It was founded in " + std::to_string(place.founded) + ".",
                        "The settlement dates from " + std::to_string(place.founded) + "."});
    if (!natives.empty()) {
      text += " People born in " + place.name + " include ";
      for (std::size_t i = 0; i < natives.size(); ++i)
        text += (i ? (i + 1 == natives.size() ? " and " : ", ") : "") + natives[i];
      text += ".";
    }
    add_passage(place.name, padded(text, place.name, 50 + rng_.uniform(30)));
  }

  void organisation_passage(std::size_t index, const Person* staff) {
    const auto& org = organisations_[index];
    const auto& founder = people_[org.founder];
    std::string text = pick({org.name + " was founded in " + std::to_string(org.founded) + " by " + founder.name + ".",
                             "In " + std::to_string(org.founded) + ", " + founder.name + " founded " + org.name + "."});
    text += " " + pick({"It is headquartered in " + places_[org.headquarters].name + ".",
                        "Its headquarters are in " + places_[org.headquarters].name + "."});
    if (staff != nullptr) text += " Among its staff was " + staff->name + ".";
    add_passage(org.name, padded(text, org.name, 50 + rng_.uniform(30)));
  }

  void work_passage(std::size_t index) {
    const auto& work = works_[index];
    const auto& creator = people_[work.creator];
    std::string text = pick({work.title + " is a " + work.kind + " by " + creator.name + ", first presented in " +
                                 std::to_string(work.year) + ".",
                             "First presented in " + std::to_string(work.year) + ", " + work.title + " is a " +
                                 work.kind + " by " + creator.name + "."});
    text += " " + pick({"Critics praised its structure and restraint.", "It was received coldly at first.",
                        "It was revised several times over the following years."});
    add_passage(work.title + " (" + work.kind + ")", padded(text, work.title, 50 + rng_.uniform(30)));
  }

  void festival_passages(const Festival& festival) {
    for (std::size_t e = 0; e < festival.years.size(); ++e) {
      const auto name = "the " + kOrdinals[e] + " " + festival.name;
      std::string text = capitalised(name) + " was held in " + places_[festival.city].name + " in " +
                         std::to_string(festival.years[e]) + ".";
      text += " " + pick({"Visitors came from across the region.", "It lasted for several days.",
                          "The programme followed the pattern of earlier years."});
      add_passage(capitalised(name), padded(text, name, 50));
    }
  }

  void noise_passage() {
    Strings sentences = kNoiseSentences;
    rng_.shuffle(sentences);
    const auto& topic = pick(kNoiseTopics);
    std::string text = topic + " is a traditional activity in many rural areas.";
    for (std::size_t i = 0; i < 4 + rng_.uniform(3); ++i) {
      text += " " + sentences[i];
      if (rng_.uniform(2) == 0)
        text += " A " + pick(kLowerAdjectives) + " " + pick(kLowerNouns) + " is often needed for it.";
    }
    add_passage(topic, text);
  }

  const SynthWorldConfig& config_;
  Rng rng_;
  std::set<std::string> used_;
  std::vector<Place> places_;
  std::vector<Person> people_;
  std::vector<Organisation> organisations_;
  std::vector<Work> works_;
  std::vector<Festival> festivals_;
  Strings passages_;
};

}  // namespace

nlohmann::json generate_synthetic_world(const SynthWorldConfig& config, const std::filesystem::path& out) {
  World world(config);
  world.generate();
  world.render_passages();
  auto questions = world.questions();
  CORAG_CHECK(static_cast<std::int64_t>(questions.size()) == config.questions, "synth: the world holds only ",
              questions.size(), " distinct questions, fewer than world.questions ", config.questions,
              "; add entities or ask for fewer questions");
  write_file_atomically(out / "passages.jsonl", [&](std::ostream& stream) {
    for (const auto& line : world.passages()) stream << line << '\n';
  });
  const auto test_count = static_cast<std::size_t>(config.test_fraction * static_cast<double>(questions.size()));
  std::string all, train_pool, test_pool;
  for (std::size_t i = 0; i < questions.size(); ++i) {
    const auto line =
        nlohmann::json{
            {"id", "q" + std::to_string(i)}, {"question", questions[i].question}, {"answers", {questions[i].answer}}}
            .dump() +
        "\n";
    all += line;
    (i < test_count ? test_pool : train_pool) += line;
  }
  write_file_atomically(out / "qa.jsonl", all);
  write_file_atomically(out / "qa.train_pool.jsonl", train_pool);
  write_file_atomically(out / "qa.test_pool.jsonl", test_pool);
  auto summary = world.counts();
  summary["questions"] = questions.size();
  summary["test_pool"] = test_count;
  summary["train_pool"] = questions.size() - test_count;
  summary["seed"] = config.seed;
  write_file_atomically(out / "world.json", summary.dump(2) + "\n");
  return summary;
}

}  // namespace corag
