#include "corag/dist/process_group_collective.hpp"

#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>

#include <chrono>
#include <cstdlib>
#include <exception>

#include <spdlog/spdlog.h>

#include "corag/util/error.hpp"

namespace corag {

struct ProcessGroupCollective::Groups {
  c10::intrusive_ptr<c10d::TCPStore> store;
  c10::intrusive_ptr<c10d::ProcessGroupGloo> group;
};

namespace {

std::string announcement_key(int rank) { return "corag/doing/" + std::to_string(rank); }

/// The network device Gloo binds: GLOO_SOCKET_IFNAME when set (as in torch), loopback for a
/// master on this machine, else the address this machine's hostname resolves to.
std::shared_ptr<gloo::transport::Device> gloo_device(const std::string& master_addr) {
  if (const char* interface = std::getenv("GLOO_SOCKET_IFNAME"); interface != nullptr && *interface != '\0')
    return c10d::ProcessGroupGloo::createDeviceForInterface(interface);
  if (master_addr == "127.0.0.1" || master_addr == "localhost")
    return c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1");
  return c10d::ProcessGroupGloo::createDefaultDevice();
}

std::string first_line(const std::string& text) { return text.substr(0, text.find('\n')); }

/// Waits for `work`; on failure or timeout throws an error naming `what` and what the other
/// ranks last announced.
void wait_for(const c10::intrusive_ptr<c10d::Work>& work, const RankEnvironment& env, c10d::Store& store,
              const std::string& what) {
  const auto start = std::chrono::steady_clock::now();
  try {
    work->wait();
    return;
  } catch (const std::exception& error) {
    const auto waited = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::string others;
    for (int other = 0; other < env.world_size; ++other) {
      if (other == env.rank) continue;
      std::string doing = "unknown: the master (rank 0) is unreachable, so rank 0 has probably ended";
      try {
        if (store.check({announcement_key(other)})) {
          const auto bytes = store.get(announcement_key(other));
          doing = std::string(bytes.begin(), bytes.end());
        }
      } catch (const std::exception&) {
      }
      others += "\n  rank " + std::to_string(other) + " was: " + doing;
    }
    throw_error("rank ", env.rank, " of ", env.world_size, ": ", what, " failed after ", static_cast<int>(waited),
                " s (timeout ", env.timeout.count(), " s): ", first_line(error.what()), others);
  }
}

}  // namespace

ProcessGroupCollective::ProcessGroupCollective(const RankEnvironment& environment)
    : groups_(std::make_unique<Groups>()), environment_(environment) {
  const auto& env = environment_;
  const std::string master = env.master_addr + ":" + std::to_string(env.master_port);
  const auto timeout = std::chrono::duration_cast<std::chrono::milliseconds>(env.timeout);
  c10d::TCPStoreOptions options;
  options.port = env.master_port;
  options.isServer = env.rank == 0;
  options.numWorkers = static_cast<std::size_t>(env.world_size);
  options.waitWorkers = false;  // the process group's rendezvous below waits, with the same timeout
  options.timeout = timeout;
  try {
    groups_->store = c10::make_intrusive<c10d::TCPStore>(env.master_addr, options);
  } catch (const std::exception& error) {
    throw_error("rank ", env.rank, " of ", env.world_size, ": ",
                env.rank == 0 ? "cannot listen on the master port " + master +
                                    " (in use by another run? choose "
                                    "another with --master-port or "
                                    "MASTER_PORT)"
                              : "cannot reach the master " + master + " within " + std::to_string(env.timeout.count()) +
                                    " s (is rank 0 running, and MASTER_ADDR/MASTER_PORT right?)",
                ": ", first_line(error.what()));
  }
  announce("joining the process group");
  auto group_options = c10d::ProcessGroupGloo::Options::create(timeout);
  try {
    group_options->devices.push_back(gloo_device(env.master_addr));
    groups_->group =
        c10::make_intrusive<c10d::ProcessGroupGloo>(groups_->store, env.rank, env.world_size, group_options);
  } catch (const std::exception& error) {
    std::string joined;
    for (int other = 0; other < env.world_size; ++other) {
      bool announced = false;
      try {
        announced = groups_->store->check({announcement_key(other)});
      } catch (const std::exception&) {
      }
      if (!announced) joined += (joined.empty() ? "" : ", ") + std::to_string(other);
    }
    throw_error("rank ", env.rank, " of ", env.world_size, ": the ranks did not all join at ", master, " within ",
                env.timeout.count(), " s", joined.empty() ? std::string() : " (missing: rank " + joined + ")", ": ",
                first_line(error.what()));
  }
  announce("joined");
  spdlog::info("distributed: rank {} of {} (local rank {}), master {}, Gloo, timeout {} s", env.rank, env.world_size,
               env.local_rank, master, env.timeout.count());
}

ProcessGroupCollective::~ProcessGroupCollective() = default;

int ProcessGroupCollective::rank() const { return environment_.rank; }

int ProcessGroupCollective::world_size() const { return environment_.world_size; }

CommTraffic ProcessGroupCollective::traffic() const { return traffic_; }

void ProcessGroupCollective::announce(const std::string& doing) {
  try {
    groups_->store->set(announcement_key(environment_.rank), std::vector<std::uint8_t>(doing.begin(), doing.end()));
  } catch (const std::exception& error) {
    throw_error("rank ", environment_.rank, " of ", environment_.world_size, ": ", doing,
                ": the master (rank 0) is unreachable: ", first_line(error.what()));
  }
}

void ProcessGroupCollective::all_reduce_sum(torch::Tensor& buffer, const std::string& what) {
  CORAG_CHECK(
      (buffer.scalar_type() == torch::kFloat32 || buffer.scalar_type() == torch::kFloat64) && buffer.is_contiguous(),
      what, ": the all-reduce takes a contiguous fp32 or fp64 buffer, got ", buffer.scalar_type());
  std::vector<at::Tensor> tensors = {buffer};
  wait_for(groups_->group->allreduce(tensors), environment_, *groups_->store, what);
  const auto bytes = static_cast<std::uint64_t>(buffer.numel()) * buffer.element_size();
  traffic_.sent_bytes += bytes;
  traffic_.received_bytes += bytes;
}

std::vector<std::string> ProcessGroupCollective::all_gather(const std::string& text, const std::string& what) {
  const auto world = environment_.world_size;
  // Lengths first, then the texts padded to the longest (Gloo's all-gather takes equal shapes).
  std::vector<at::Tensor> length_in = {torch::full({1}, static_cast<std::int64_t>(text.size()), torch::kInt64)};
  std::vector<std::vector<at::Tensor>> length_out(1);
  for (int r = 0; r < world; ++r) length_out[0].push_back(torch::empty({1}, torch::kInt64));
  wait_for(groups_->group->allgather(length_out, length_in), environment_, *groups_->store, what);
  std::int64_t longest = 0;
  for (const auto& length : length_out[0]) longest = std::max(longest, length.item<std::int64_t>());
  auto padded = torch::zeros({std::max<std::int64_t>(longest, 1)}, torch::kUInt8);
  std::copy(text.begin(), text.end(), padded.data_ptr<std::uint8_t>());
  std::vector<at::Tensor> text_in = {padded};
  std::vector<std::vector<at::Tensor>> text_out(1);
  for (int r = 0; r < world; ++r) text_out[0].push_back(torch::empty_like(padded));
  wait_for(groups_->group->allgather(text_out, text_in), environment_, *groups_->store, what);
  std::vector<std::string> texts;
  for (int r = 0; r < world; ++r) {
    const auto* bytes = reinterpret_cast<const char*>(text_out[0][r].data_ptr<std::uint8_t>());
    texts.emplace_back(bytes, static_cast<std::size_t>(length_out[0][r].item<std::int64_t>()));
    if (r != environment_.rank) traffic_.received_bytes += texts.back().size();
  }
  traffic_.sent_bytes += text.size();
  return texts;
}

}  // namespace corag
