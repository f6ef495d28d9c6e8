#pragma once

#include <string>
#include <vector>

namespace corag {

/// The CRAB train-store variants (paper section 3.1 and appendix C) by the names configs, folders
/// and tables use: REL, IRR, REL-1, SPLIT, PARTITION. The one list every layer reads.
const std::vector<std::string>& store_variants();

/// The variants of the paper's table 1: all but PARTITION (an extension of corag's).
const std::vector<std::string>& paper_store_variants();

/// Ablation stores are `ablations/<name>`; crab-build-stores builds them all as "ablations".
inline constexpr const char* kAblationsPrefix = "ablations/";

/// The ablation stores crab-build-stores builds from REL (paper tables 2 and 5), in table 5's
/// order: REL's relevant passages plus 80 ... 1 % of the rest, none at all, then the five
/// recombinations of table 2. Named without the `ablations/` prefix.
const std::vector<std::string>& ablation_stores();

/// True for a name of store_variants() or `ablations/<name>` (one level).
bool is_store_variant(const std::string& name);

/// The variants joined by `separator`, with `extra` appended ("REL, IRR, ..." in messages).
std::string store_variant_list(const std::string& separator, const std::vector<std::string>& extra = {});

}  // namespace corag
