#include "corag/dist/local_ranks.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <thread>

#include <spdlog/spdlog.h>

#include "corag/util/child_process.hpp"
#include "corag/util/error.hpp"

namespace corag {
namespace {

/// Set by run_local_ranks in each rank: the launcher's process id.
constexpr const char* kLauncherVariable = "CORAG_LAUNCHER_PID";

std::string describe_status(int status) {
  if (status > 128) {
    const char* name = ::strsignal(status - 128);
    return "was killed by signal " + std::to_string(status - 128) + (name ? std::string(" (") + name + ")" : "");
  }
  return "exited with status " + std::to_string(status);
}

}  // namespace

std::uint16_t free_loopback_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  CORAG_CHECK(fd >= 0, "--nproc: cannot open a socket to pick a master port: ", std::strerror(errno));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  const bool bound = ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
                     ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0;
  const int error = errno;
  ::close(fd);
  CORAG_CHECK(bound, "--nproc: cannot pick a free master port on 127.0.0.1: ", std::strerror(error));
  return ntohs(address.sin_port);
}

std::vector<std::string> without_nproc(const std::vector<std::string>& command_line) {
  std::vector<std::string> kept;
  for (std::size_t i = 0; i < command_line.size(); ++i) {
    if (i > 0 && command_line[i] == "--nproc") {
      ++i;  // and its value
      continue;
    }
    if (i > 0 && command_line[i].rfind("--nproc=", 0) == 0) continue;
    kept.push_back(command_line[i]);
  }
  return kept;
}

void run_local_ranks(const std::vector<std::string>& rank_command, const LocalRanksLaunch& launch) {
  CORAG_CHECK(launch.nproc >= 1, "--nproc: expected at least 1 process, got ", launch.nproc);
  CORAG_CHECK(!rank_command.empty(), "--nproc: no command to run");
  const auto port = launch.master_port != 0 ? launch.master_port : free_loopback_port();
  auto program = rank_command;
  program.front() = "/proc/self/exe";  // this very executable, wherever it was started from
  spdlog::info("launching {} ranks on this machine (master 127.0.0.1:{})", launch.nproc, port);
  std::vector<ChildProcess> ranks;
  for (int rank = 0; rank < launch.nproc; ++rank) {
    ranks.emplace_back(program, std::filesystem::path(),
                       std::vector<std::string>{"RANK=" + std::to_string(rank), "LOCAL_RANK=" + std::to_string(rank),
                                                "WORLD_SIZE=" + std::to_string(launch.nproc), "MASTER_ADDR=127.0.0.1",
                                                "MASTER_PORT=" + std::to_string(port),
                                                std::string(kLauncherVariable) + "=" + std::to_string(::getpid())});
  }
  std::vector<std::optional<int>> statuses(ranks.size());
  // Once one rank has ended, however it ended, the others get `grace` to end too: the ranks end
  // together (their last step is a collective), so one still running then is hung or stopped,
  // and waiting on it would hang the launcher, even after a run whose rank 0 finished.
  struct End {
    std::chrono::steady_clock::time_point at;
    std::size_t rank;
  };
  std::optional<End> grace_from;
  bool failed = false;
  for (std::size_t running = ranks.size(); running > 0;) {
    running = 0;
    for (std::size_t rank = 0; rank < ranks.size(); ++rank) {
      if (!statuses[rank]) statuses[rank] = ranks[rank].poll();
      if (!statuses[rank]) {
        ++running;
        continue;
      }
      const bool first_failure = *statuses[rank] != 0 && !failed;
      // The grace runs from the first end, or from the first failure.
      if (!grace_from || first_failure) grace_from = End{std::chrono::steady_clock::now(), rank};
      if (first_failure) {
        failed = true;
        spdlog::error("rank {} {}; the other ranks get {} s to stop", rank, describe_status(*statuses[rank]),
                      launch.grace.count());
      }
    }
    if (running > 0 && grace_from && std::chrono::steady_clock::now() - grace_from->at > launch.grace) {
      for (std::size_t rank = 0; rank < ranks.size(); ++rank) {
        if (statuses[rank]) continue;
        spdlog::error("rank {} still runs {} s after rank {} ended ({}): killed", rank, launch.grace.count(),
                      grace_from->rank, describe_status(*statuses[grace_from->rank]));
        ranks[rank].kill_now();
        statuses[rank] = ranks[rank].poll();
      }
      running = 0;
    }
    if (running > 0) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  std::string failures;
  for (std::size_t rank = 0; rank < ranks.size(); ++rank) {
    if (*statuses[rank] != 0) failures += "\n  rank " + std::to_string(rank) + " " + describe_status(*statuses[rank]);
  }
  CORAG_CHECK(failures.empty(), "--nproc ", launch.nproc, ": ranks failed (their errors are above):", failures);
}

void stop_with_launcher() {
  const char* variable = std::getenv(kLauncherVariable);
  if (variable == nullptr) return;
  const std::string launcher = variable;
  ::unsetenv(kLauncherVariable);  // not inherited by what this rank starts
  CORAG_CHECK(::prctl(PR_SET_PDEATHSIG, SIGTERM) == 0,
              "--nproc: cannot ask for SIGTERM when the launcher ends: ", std::strerror(errno));
  // The launcher may have ended before the request: then this rank has been reparented.
  CORAG_CHECK(std::to_string(::getppid()) == launcher, "--nproc: the launching process (", launcher,
              ") has already ended");
}

}  // namespace corag
