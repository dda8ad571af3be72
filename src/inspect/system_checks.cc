// Server, operating system and middleware checks: what /proc, statvfs,
// adjtimex, apt, nginx and the platform's own listeners say on this machine.
#include <arpa/inet.h>
#include <dirent.h>
#include <netdb.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/statvfs.h>
#include <sys/timex.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "inspect/inspect.h"
#include "inspect/util.h"

namespace zhanqun::inspect {

using namespace detail;
namespace fs = std::filesystem;

namespace {

struct CpuTimes {
  uint64_t idle = 0, total = 0;
};

CpuTimes ReadCpu() {
  std::istringstream in(ReadFile("/proc/stat", 4096));
  std::string cpu;
  in >> cpu;
  CpuTimes t;
  uint64_t v;
  for (int i = 0; i < 10 && in >> v; ++i) {
    t.total += i < 8 ? v : 0;           // guest time is already in user
    if (i == 3 || i == 4) t.idle += v;  // idle + iowait
  }
  return t;
}

std::map<std::string, uint64_t> MemInfo() {
  std::map<std::string, uint64_t> out;
  std::istringstream in(ReadFile("/proc/meminfo", 16384));
  std::string key;
  uint64_t v;
  std::string unit;
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream ls(line);
    if (ls >> key >> v) {
      if (!key.empty() && key.back() == ':') key.pop_back();
      out[key] = v * 1024;
    }
  }
  return out;
}

Check Percent(std::string id, std::string name, double used, double warn, double fail,
              std::string value_text, std::string advice_ok, std::string advice_bad) {
  Check c = Make(std::move(id), "server", std::move(name));
  c.metric = used;
  c.unit = "%";
  c.status = Grade(used, warn, fail);
  c.value = Fixed(used) + "%" + (value_text.empty() ? "" : "（" + value_text + "）");
  c.threshold = "警告 ≥ " + Fixed(warn, 0) + "%，异常 ≥ " + Fixed(fail, 0) + "%";
  c.advice = c.status == "ok" ? std::move(advice_ok) : std::move(advice_bad);
  return c;
}

// "1.2.3" -> {1,2,3}
std::vector<int> VersionParts(const std::string& v) {
  std::vector<int> out;
  int cur = -1;
  for (char ch : v) {
    if (isdigit(static_cast<unsigned char>(ch))) {
      cur = (cur < 0 ? 0 : cur * 10) + (ch - '0');
    } else {
      if (cur >= 0) out.push_back(cur);
      cur = -1;
      if (ch != '.') break;
    }
  }
  if (cur >= 0) out.push_back(cur);
  return out;
}

std::map<std::string, std::string> OsRelease() {
  std::map<std::string, std::string> out;
  std::string text = ReadFile("/etc/os-release", 65536);
  if (text.empty()) text = ReadFile("/usr/lib/os-release", 65536);
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    size_t eq = line.find('=');
    if (eq == std::string::npos) continue;
    std::string v = line.substr(eq + 1);
    if (v.size() >= 2 && (v.front() == '"' || v.front() == '\'')) v = v.substr(1, v.size() - 2);
    out[line.substr(0, eq)] = v;
  }
  return out;
}

struct Listener {
  std::string addr;
  int port;
  bool loopback;
};

std::vector<Listener> ListeningTcp() {
  std::vector<Listener> out;
  for (const char* file : {"/proc/net/tcp", "/proc/net/tcp6"}) {
    bool v6 = std::string(file).back() == '6';
    std::istringstream in(ReadFile(file, 8 << 20));
    std::string line;
    std::getline(in, line);  // header
    while (std::getline(in, line)) {
      std::istringstream ls(line);
      std::string sl, local, remote, st;
      ls >> sl >> local >> remote >> st;
      if (st != "0A") continue;  // LISTEN
      size_t colon = local.find(':');
      if (colon == std::string::npos) continue;
      std::string hex = local.substr(0, colon);
      int port = static_cast<int>(std::stoul(local.substr(colon + 1), nullptr, 16));
      bool loop = false;
      std::string shown;
      if (!v6 && hex.size() == 8) {
        uint32_t a = static_cast<uint32_t>(std::stoul(hex, nullptr, 16));
        in_addr ia{};
        ia.s_addr = a;  // /proc prints the address in host order of the raw bytes
        char buf[INET_ADDRSTRLEN];
        inet_ntop(AF_INET, &ia, buf, sizeof buf);
        shown = buf;
        loop = (ntohl(a) >> 24) == 127;
      } else if (v6 && hex.size() == 32) {
        in6_addr a6{};
        for (int w = 0; w < 4; ++w) {
          uint32_t word = static_cast<uint32_t>(std::stoul(hex.substr(w * 8, 8), nullptr, 16));
          std::memcpy(&a6.s6_addr[w * 4], &word, 4);
        }
        char buf[INET6_ADDRSTRLEN];
        inet_ntop(AF_INET6, &a6, buf, sizeof buf);
        shown = buf;
        loop = IN6_IS_ADDR_LOOPBACK(&a6) || (IN6_IS_ADDR_V4MAPPED(&a6) && a6.s6_addr[12] == 127);
      }
      out.push_back({shown, port, loop});
    }
  }
  return out;
}

// Connects to host:port and sends one HTTP/1.0 request; returns the status
// line, or an error text starting with "!".
std::string HttpProbe(std::string host, uint16_t port, const std::string& path, int64_t& ms) {
  if (host == "0.0.0.0" || host.empty()) host = "127.0.0.1";
  if (host == "::") host = "::1";
  auto t0 = std::chrono::steady_clock::now();
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  if (getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &res) != 0 || !res) {
    return "!无法解析地址 " + host;
  }
  std::string result = "!连接失败";
  for (addrinfo* ai = res; ai; ai = ai->ai_next) {
    int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) continue;
    int rc = connect(fd, ai->ai_addr, ai->ai_addrlen);
    pollfd p{fd, POLLOUT, 0};
    if (rc != 0 && errno == EINPROGRESS) rc = poll(&p, 1, 2000) == 1 ? 0 : -1;
    int err = 0;
    socklen_t len = sizeof err;
    if (rc == 0) getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
    if (rc != 0 || err != 0) {
      result = "!连接被拒绝或超时（" + std::string(strerror(err ? err : ETIMEDOUT)) + "）";
      close(fd);
      continue;
    }
    std::string req = "GET " + path + " HTTP/1.0\r\nHost: zhanqun-inspect.invalid\r\n\r\n";
    (void)!send(fd, req.data(), req.size(), MSG_NOSIGNAL);
    std::string got;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(3);
    while (got.find("\r\n") == std::string::npos && std::chrono::steady_clock::now() < deadline) {
      pollfd q{fd, POLLIN, 0};
      if (poll(&q, 1, 500) != 1) continue;
      char buf[512];
      ssize_t n = recv(fd, buf, sizeof buf, 0);
      if (n <= 0) break;
      got.append(buf, static_cast<size_t>(n));
    }
    close(fd);
    size_t eol = got.find("\r\n");
    result = eol == std::string::npos ? "!已连接但未返回 HTTP 响应" : got.substr(0, eol);
    break;
  }
  freeaddrinfo(res);
  ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0)
           .count();
  return result;
}

bool IsLoopbackHost(const std::string& h) {
  return h.rfind("127.", 0) == 0 || h == "::1" || h == "localhost";
}

// ssl_certificate paths of the configuration nginx really loads (`nginx -T`
// prints it with every included file); comments and variables are skipped.
std::vector<std::string> NginxCertificates(const std::string& dump) {
  std::vector<std::string> out;
  std::istringstream in(dump);
  std::string line;
  while (std::getline(in, line)) {
    size_t hash = line.find('#');
    if (hash != std::string::npos) line.resize(hash);
    std::istringstream ls(line);
    std::string key, value;
    ls >> key >> value;
    if (key != "ssl_certificate" || value.empty()) continue;
    if (value.back() == ';') value.pop_back();
    if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'')) {
      value = value.substr(1, value.size() - 2);
    }
    if (!value.empty() && value.find('$') == std::string::npos) out.push_back(value);
  }
  return out;
}

}  // namespace

std::vector<Check> ServerChecks(const config::Config& cfg) {
  const auto& ic = cfg.inspect;
  std::vector<Check> out;
  long cores = std::max(1L, sysconf(_SC_NPROCESSORS_ONLN));

  {
    CpuTimes a = ReadCpu();
    std::this_thread::sleep_for(std::chrono::milliseconds(1000));
    CpuTimes b = ReadCpu();
    double total = static_cast<double>(b.total - a.total);
    double busy = total > 0 ? 100.0 * (total - static_cast<double>(b.idle - a.idle)) / total : 0;
    out.push_back(Percent("server.cpu", "CPU 使用率", busy, ic.cpu_warn_percent,
                          ic.cpu_fail_percent, std::to_string(cores) + " 核，采样 1 秒",
                          "CPU 资源充足。",
                          "CPU 持续繁忙：用 top 查看占用最高的进程，确认是否有异常任务或攻击流量；"
                          "长期偏高请扩容。"));
  }
  {
    std::istringstream in(ReadFile("/proc/loadavg", 256));
    double l1 = 0, l5 = 0, l15 = 0;
    in >> l1 >> l5 >> l15;
    double per_core = 100.0 * l5 / static_cast<double>(cores);
    Check c = Make("server.load", "server", "系统负载");
    c.metric = per_core;
    c.unit = "%";
    c.status = Grade(per_core, ic.load_warn_percent, ic.load_fail_percent);
    c.value = Fixed(l1, 2) + " / " + Fixed(l5, 2) + " / " + Fixed(l15, 2) + "（1/5/15 分钟，" +
              std::to_string(cores) + " 核，5 分钟负载为核数的 " + Fixed(per_core, 0) + "%）";
    c.threshold = "5 分钟负载 警告 ≥ 核数×" + Fixed(ic.load_warn_percent / 100.0, 2) +
                  "，异常 ≥ 核数×" + Fixed(ic.load_fail_percent / 100.0, 2);
    c.advice = c.status == "ok" ? "负载正常。"
                                : "负载超过 CPU 核数：检查是否有进程阻塞在磁盘 I/O（vmstat 的 b "
                                  "列）或 CPU 密集任务，必要时扩容。";
    out.push_back(std::move(c));
  }
  auto mem = MemInfo();
  {
    double total = static_cast<double>(mem["MemTotal"]);
    double avail =
        static_cast<double>(mem.count("MemAvailable") ? mem["MemAvailable"] : mem["MemFree"]);
    double used = total > 0 ? 100.0 * (total - avail) / total : 0;
    out.push_back(Percent("server.memory", "内存使用率", used, ic.memory_warn_percent,
                          ic.memory_fail_percent, "可用 " + Bytes(avail) + " / 共 " + Bytes(total),
                          "内存充足。",
                          "可用内存不足：查看占用最多的进程（ps aux --sort=-rss），"
                          "减少 worker_threads 或增加内存。"));
  }
  {
    double total = static_cast<double>(mem["SwapTotal"]);
    double free = static_cast<double>(mem["SwapFree"]);
    if (total <= 0) {
      Check c = Make("server.swap", "server", "交换分区");
      c.metric = 0;
      c.unit = "%";
      c.value = "未配置交换分区（0 B）";
      c.threshold = "警告 ≥ " + std::to_string(ic.swap_warn_percent) + "%，异常 ≥ " +
                    std::to_string(ic.swap_fail_percent) + "%";
      c.advice = "未使用交换分区，内存紧张时进程会被直接终止，请关注内存使用率。";
      out.push_back(std::move(c));
    } else {
      double used = 100.0 * (total - free) / total;
      out.push_back(
          Percent("server.swap", "交换分区", used, ic.swap_warn_percent, ic.swap_fail_percent,
                  "已用 " + Bytes(total - free) + " / 共 " + Bytes(total), "交换分区使用正常。",
                  "交换分区使用过多，说明物理内存长期不足，会明显拖慢响应：请增加内存。"));
    }
  }
  struct statvfs sv {};
  bool have_fs = statvfs(cfg.data_dir.c_str(), &sv) == 0;
  {
    Check c = Make("server.disk_space", "server", "数据目录磁盘空间");
    if (!have_fs) {
      c.status = "fail";
      c.value = "无法读取 " + cfg.data_dir + " 所在文件系统：" + strerror(errno);
      c.threshold = "警告 ≥ " + std::to_string(ic.disk_warn_percent) + "%";
      c.advice = "确认数据目录存在且可访问。";
    } else {
      double size = static_cast<double>(sv.f_blocks) * sv.f_frsize;
      double used = static_cast<double>(sv.f_blocks - sv.f_bfree) * sv.f_frsize;
      double avail = static_cast<double>(sv.f_bavail) * sv.f_frsize;
      double pct = used + avail > 0 ? 100.0 * used / (used + avail) : 0;
      c = Percent(
          "server.disk_space", "数据目录磁盘空间", pct, ic.disk_warn_percent, ic.disk_fail_percent,
          "可用 " + Bytes(avail) + " / 共 " + Bytes(size) + "，" + cfg.data_dir, "磁盘空间充足。",
          "数据目录所在磁盘空间不足：清理 logs/ 与 tmp/ 中的旧文件、把旧备份移到异地，"
          "或扩容磁盘；空间耗尽会导致发布和数据库写入失败。");
    }
    out.push_back(std::move(c));
  }
  {
    Check c = Make("server.disk_inodes", "server", "数据目录 inode");
    c.unit = "%";
    c.threshold = "警告 ≥ " + std::to_string(ic.inode_warn_percent) + "%，异常 ≥ " +
                  std::to_string(ic.inode_fail_percent) + "%";
    if (!have_fs) {
      c.status = "fail";
      c.value = "无法读取文件系统信息";
      c.advice = "确认数据目录存在且可访问。";
    } else if (sv.f_files == 0) {
      c.metric = 0;
      c.value = "文件系统不限制 inode 数量（f_files = 0）";
      c.advice = "该文件系统按需分配 inode，无需关注。";
    } else {
      double used =
          100.0 * static_cast<double>(sv.f_files - sv.f_ffree) / static_cast<double>(sv.f_files);
      c = Percent("server.disk_inodes", "数据目录 inode", used, ic.inode_warn_percent,
                  ic.inode_fail_percent,
                  "剩余 " + std::to_string(sv.f_ffree) + " / 共 " + std::to_string(sv.f_files),
                  "inode 充足。",
                  "inode 即将耗尽（大量小文件）：清理 tmp/ 和旧的发布版本，"
                  "或迁移到 inode 更多的文件系统。");
    }
    out.push_back(std::move(c));
  }
  {
    std::istringstream in(ReadFile("/proc/uptime", 128));
    double secs = 0;
    in >> secs;
    double days = secs / 86400.0;
    Check c = Make("server.uptime", "server", "连续运行时间");
    c.metric = days;
    c.unit = "天";
    c.value = Fixed(days, 1) + " 天";
    c.threshold = "≤ " + std::to_string(ic.uptime_max_days) + " 天";
    c.status = days > ic.uptime_max_days ? "warn" : "ok";
    c.advice = c.status == "ok"
                   ? "运行时间正常；如本月有内核安全更新，请安排维护窗口重启。"
                   : "长时间未重启，已安装的内核安全更新尚未生效：请在维护窗口重启服务器。";
    out.push_back(std::move(c));
  }
  {
    struct timex tx {};
    tx.modes = 0;
    int state = adjtimex(&tx);
    Check c = Make("server.clock_sync", "server", "时钟同步");
    c.unit = "ms";
    c.threshold = "内核报告已同步，且最大误差 ≤ " + std::to_string(ic.clock_max_error_ms) + " ms";
    if (state < 0) {
      c.status = "warn";
      c.value = std::string("无法读取内核时钟状态：") + strerror(errno);
      c.advice = "请用 timedatectl 确认 NTP 同步已开启。";
    } else {
      bool unsync = (tx.status & STA_UNSYNC) != 0 || state == TIME_ERROR;
      double maxerr_ms = static_cast<double>(tx.maxerror) / 1000.0;
      c.metric = maxerr_ms;
      c.value = std::string(unsync ? "未同步" : "已同步") + "，最大误差 " + Fixed(maxerr_ms, 1) +
                " ms，估计误差 " + Fixed(static_cast<double>(tx.esterror) / 1000.0, 1) + " ms";
      if (unsync || maxerr_ms > ic.clock_max_error_ms) {
        c.status = "warn";
        c.advice =
            "系统时钟未与时间服务器同步：安装并启用 systemd-timesyncd 或 chrony（timedatectl "
            "set-ntp true），指向区信息中心或国家授时中心的 NTP 服务器；时间不准会影响审计记录、"
            "定时发布与证书校验。";
      } else {
        c.advice = "时钟同步正常。";
      }
    }
    out.push_back(std::move(c));
  }
  {
    int zombies = 0, procs = 0;
    std::error_code ec;
    for (auto it = fs::directory_iterator("/proc", ec); !ec && it != fs::directory_iterator();
         it.increment(ec)) {
      std::string name = it->path().filename().string();
      if (name.find_first_not_of("0123456789") != std::string::npos) continue;
      std::string stat = ReadFile("/proc/" + name + "/stat", 1024);
      size_t rp = stat.rfind(')');
      if (rp == std::string::npos || rp + 2 >= stat.size()) continue;
      ++procs;
      if (stat[rp + 2] == 'Z') ++zombies;
    }
    Check c = Make("server.processes", "server", "僵尸进程");
    c.metric = zombies;
    c.unit = "个";
    c.value = std::to_string(zombies) + " 个僵尸进程（共 " + std::to_string(procs) + " 个进程）";
    c.threshold = "警告 ≥ 10 个";
    c.status = zombies >= 10 ? "warn" : "ok";
    c.advice = c.status == "ok" ? "进程状态正常。"
                                : "存在较多僵尸进程，说明其父进程未回收子进程：用 ps -ef "
                                  "找出父进程并重启该服务。";
    out.push_back(std::move(c));
  }
  {
    std::istringstream in(ReadFile("/proc/sys/fs/file-nr", 128));
    double used = 0, unused = 0, max = 0;
    in >> used >> unused >> max;
    double pct = max > 0 ? 100.0 * used / max : 0;
    Check c = Percent("server.file_handles", "系统文件句柄", pct, 80, 95,
                      Fixed(used, 0) + " / " + Fixed(max, 0), "文件句柄充足。",
                      "文件句柄接近上限：检查连接数与打开文件最多的进程（lsof），"
                      "或调高 fs.file-max。");
    out.push_back(std::move(c));
  }
  return out;
}

std::vector<Check> OsChecks(const config::Config& cfg) {
  const auto& ic = cfg.inspect;
  std::vector<Check> out;
  {
    struct utsname u {};
    uname(&u);
    auto v = VersionParts(u.release);
    Check c = Make("os.kernel", "os", "内核版本");
    c.value = std::string(u.sysname) + " " + u.release + "（" + u.machine + "）";
    c.threshold = "≥ 4.19（仍受安全支持的长期维护内核）";
    bool old = v.size() < 2 || v[0] < 4 || (v[0] == 4 && v[1] < 19);
    c.metric = v.size() >= 2 ? v[0] + v[1] / 100.0 : 0;
    c.status = old ? "warn" : "ok";
    c.advice = old ? "内核版本过旧，已不再获得安全更新：请升级操作系统。"
                   : "内核版本受支持；请随发行版安全更新一起升级并重启。";
    out.push_back(std::move(c));
  }
  {
    auto os = OsRelease();
    Check c = Make("os.distribution", "os", "操作系统版本");
    std::string id = os["ID"], ver = os["VERSION_ID"];
    c.value = os.count("PRETTY_NAME") ? os["PRETTY_NAME"] : (id + " " + ver);
    if (c.value.empty() || c.value == " ") c.value = "无法识别（/etc/os-release 不存在）";
    c.threshold = "仍在安全支持期内：Debian ≥ 12、Ubuntu ≥ 22.04 等";
    auto parts = VersionParts(ver);
    int major = parts.empty() ? 0 : parts[0];
    c.metric = major;
    if (id == "debian") {
      c.status = major >= 12 ? "ok" : "fail";
    } else if (id == "ubuntu") {
      c.status = major >= 22 ? "ok" : "fail";
    } else {
      c.status = "warn";
    }
    c.advice =
        c.status == "ok" ? "操作系统版本在安全支持期内。"
        : c.status == "fail"
            ? "操作系统版本已结束安全支持：请制定升级计划（数据迁移可用备份包恢复到新服务器）。"
            : "未能确认该发行版的安全支持期（如麒麟、统信等）：请向厂商确认并记录。";
    out.push_back(std::move(c));
  }
  {
    Check c = Make("os.security_updates", "os", "待安装安全更新");
    c.unit = "个";
    c.threshold = "0 个；≥ 1 警告，≥ " + std::to_string(ic.security_updates_fail) + " 异常";
    auto apt = FindProgram("apt-get");
    if (!apt) {
      c.status = "warn";
      c.value = "本机没有 apt-get，无法判断";
      c.advice = "请用发行版自带的工具（yum/dnf updateinfo）检查安全更新并记录。";
    } else {
      std::string text;
      // Simulation on the cached package lists: no network, no lock needed.
      int rc = RunCommand(*apt + " -s -o Debug::NoLocking=1 upgrade", text, 120);
      if (rc != 0) {
        c.status = "warn";
        c.value = "apt-get -s upgrade 失败（退出码 " + std::to_string(rc) + "）";
        c.advice = "请手工运行 apt-get -s upgrade 查看原因。";
      } else {
        int all = 0, security = 0;
        std::vector<std::string> names;
        std::istringstream in(text);
        std::string line;
        while (std::getline(in, line)) {
          if (line.rfind("Inst ", 0) != 0) continue;
          ++all;
          if (line.find("-security") != std::string::npos ||
              line.find("Debian-Security") != std::string::npos) {
            ++security;
            if (names.size() < 8) {
              std::istringstream ls(line.substr(5));
              std::string n;
              ls >> n;
              names.push_back(n);
            }
          }
        }
        c.metric = security;
        c.value = std::to_string(security) + " 个安全更新（可升级软件包共 " + std::to_string(all) +
                  " 个，依据本机缓存的软件源索引）";
        if (!names.empty()) {
          c.value += "：";
          for (size_t i = 0; i < names.size(); ++i) c.value += (i ? "、" : "") + names[i];
          if (security > static_cast<int>(names.size())) c.value += " 等";
        }
        c.status = security >= ic.security_updates_fail ? "fail" : security > 0 ? "warn" : "ok";
        c.advice = c.status == "ok"
                       ? "没有待安装的安全更新。"
                       : "在维护窗口执行 apt-get update && apt-get upgrade 安装安全更新，"
                         "内核更新后需重启；记录到运维日志。";
      }
    }
    out.push_back(std::move(c));
  }
  {
    Check c = Make("os.apt_lists", "os", "软件源索引时效");
    c.unit = "天";
    c.threshold = "≤ " + std::to_string(ic.apt_lists_max_age_days) + " 天";
    std::error_code ec;
    fs::file_time_type newest{};
    bool any = false;
    for (auto it = fs::directory_iterator("/var/lib/apt/lists", ec);
         !ec && it != fs::directory_iterator(); it.increment(ec)) {
      std::string n = it->path().filename().string();
      if (n.find("Packages") == std::string::npos && n.find("Release") == std::string::npos)
        continue;
      auto t = fs::last_write_time(it->path(), ec);
      if (ec) continue;
      if (!any || t > newest) newest = t;
      any = true;
    }
    if (!any) {
      c.status = "warn";
      c.value = "/var/lib/apt/lists 中没有软件源索引";
      c.advice =
          "从未执行过 apt-get update，无法判断待装安全更新：请配置内网软件源镜像并更新索引。";
    } else {
      double days =
          std::chrono::duration<double>(fs::file_time_type::clock::now() - newest).count() /
          86400.0;
      c.metric = days;
      c.value = Fixed(days, 1) + " 天前更新";
      c.status = days > ic.apt_lists_max_age_days ? "warn" : "ok";
      c.advice = c.status == "ok" ? "软件源索引较新，安全更新统计可信。"
                                  : "软件源索引过旧，安全更新统计可能偏少：请执行 apt-get "
                                    "update（或配置 unattended-upgrades）。";
    }
    out.push_back(std::move(c));
  }
  {
    std::set<int> expected = {cfg.server.admin_listen.port, cfg.server.public_listen.port};
    for (const auto& p : SplitList(ic.expected_ports)) expected.insert(std::stoi(p));
    auto listeners = ListeningTcp();
    std::set<int> all, unexpected, local_only;
    for (const auto& l : listeners) all.insert(l.port);
    for (const auto& l : listeners) {
      if (l.loopback || expected.count(l.port)) continue;
      unexpected.insert(l.port);
    }
    Check c = Make("os.listening_ports", "os", "监听端口");
    c.unit = "个";
    c.metric = static_cast<double>(unexpected.size());
    std::string list;
    for (int p : all) list += (list.empty() ? "" : ",") + std::to_string(p);
    std::string exp;
    for (int p : expected) exp += (exp.empty() ? "" : ",") + std::to_string(p);
    std::string bad;
    for (int p : unexpected) bad += (bad.empty() ? "" : ",") + std::to_string(p);
    c.value = "监听中 " + std::to_string(all.size()) + " 个 TCP 端口（" +
              (list.empty() ? "无" : list) + "）；对外且不在清单中：" + (bad.empty() ? "无" : bad);
    c.threshold = "对外监听的端口都在清单内：" + exp + "（仅本机回环地址的端口不计）";
    c.status = unexpected.empty() ? "ok" : "warn";
    c.advice = c.status == "ok"
                   ? "没有清单外的对外端口。"
                   : "有不在清单中的对外监听端口：用 ss -ltnp 查明进程，不需要的服务请关闭；"
                     "需要的请加入 [inspect] expected_ports 并在防火墙上限制来源。";
    out.push_back(std::move(c));
  }
  {
    std::error_code ec;
    bool need =
        fs::exists("/var/run/reboot-required", ec) || fs::exists("/run/reboot-required", ec);
    Check c = Make("os.reboot_required", "os", "待重启");
    c.metric = need ? 1 : 0;
    c.value = need ? "系统提示需要重启（/run/reboot-required 存在）" : "无需重启";
    c.threshold = "不存在 /run/reboot-required";
    c.status = need ? "warn" : "ok";
    std::string pkgs = ReadFile("/run/reboot-required.pkgs", 4096);
    if (need && !pkgs.empty()) {
      for (char& ch : pkgs)
        if (ch == '\n') ch = ' ';
      c.value += "：" + pkgs;
    }
    c.advice = need ? "已安装的更新需要重启才生效：请在维护窗口重启，并在重启后复查各站点。"
                    : "无需重启。";
    out.push_back(std::move(c));
  }
  return out;
}

std::vector<Check> MiddlewareChecks(const config::Config& cfg, store::Db& db) {
  const auto& ic = cfg.inspect;
  std::vector<Check> out;
  auto probe = [&](const char* id, const char* name, const config::ListenAddr& addr,
                   const std::string& path, bool need_200) {
    int64_t ms = 0;
    std::string r = HttpProbe(addr.host, addr.port, path, ms);
    Check c = Make(id, "middleware", name);
    c.metric = static_cast<double>(ms);
    c.unit = "ms";
    c.threshold = need_200 ? "GET " + path + " 返回 200，3 秒内" : "3 秒内返回 HTTP 响应";
    bool ok = r[0] != '!' && (!need_200 || r.find(" 200") != std::string::npos);
    c.value = addr.ToString() + "：" + (r[0] == '!' ? r.substr(1) : r) + "，用时 " +
              std::to_string(ms) + " ms";
    c.status = ok ? "ok" : "fail";
    c.advice = ok ? "服务正常响应。"
                  : "平台服务没有在配置的地址上响应：确认 zhanqun serve 正在运行（systemctl status "
                    "zhanqun），查看日志目录中的错误；端口被占用时修改 [server] 监听地址。";
    out.push_back(std::move(c));
  };
  probe("middleware.admin_listener", "管理端服务", cfg.server.admin_listen, "/api/v1/health", true);
  probe("middleware.public_listener", "公网站点服务", cfg.server.public_listen, "/", false);
  std::string nginx_dump;
  {
    Check c = Make("middleware.nginx_config", "middleware", "nginx 配置检查");
    c.threshold = "nginx -t 通过（未安装 nginx 时由内置公网服务提供站点）";
    auto nginx = FindProgram("nginx");
    if (!nginx) {
      c.metric = 0;
      c.value = "本机未安装 nginx";
      c.advice = "站点由平台内置的公网服务提供；如改用 nginx，请用 zhanqun nginx-conf 生成配置。";
    } else {
      // -T tests like -t and also prints the loaded configuration (for the
      // certificates below).
      std::string text;
      int rc = RunCommand(*nginx + " -T", text, 30);
      nginx_dump = text;
      std::string last;
      std::istringstream in(text);
      std::string line;
      while (std::getline(in, line)) {
        if (line.rfind("nginx: ", 0) == 0) last = line;
      }
      c.metric = rc;
      c.value = *nginx + " -t 退出码 " + std::to_string(rc) + "：" + last;
      c.status = rc == 0 ? "ok" : "fail";
      c.advice = rc == 0 ? "nginx 配置语法正确。"
                         : "nginx 配置有错误，重新加载会失败：按 nginx -t 的提示修正后再 reload。";
    }
    out.push_back(std::move(c));
  }
  {
    Check c = Make("middleware.tls_certificates", "middleware", "TLS 证书有效期");
    c.unit = "天";
    c.threshold = "剩余 ≥ " + std::to_string(ic.cert_warn_days) + " 天（< " +
                  std::to_string(ic.cert_fail_days) + " 天为异常）";
    std::vector<std::string> files = SplitList(ic.tls_certificates);
    for (auto& f : NginxCertificates(nginx_dump)) files.push_back(f);
    std::sort(files.begin(), files.end());
    files.erase(std::unique(files.begin(), files.end()), files.end());
    if (files.empty()) {
      bool local = IsLoopbackHost(cfg.server.admin_listen.host);
      c.status = local ? "ok" : "warn";
      c.value = "未配置证书（nginx 与 [inspect] tls_certificates 中均没有）";
      c.advice = local ? "管理端只监听本机地址，无需证书；对外提供 HTTPS 时请把证书加入 "
                         "tls_certificates。"
                       : "管理端对外监听却没有 HTTPS 证书，口令可能被窃听（等保 8.1.4.1c）：请在 "
                         "前面加 HTTPS 反向代理。";
    } else {
      double min_days = 1e9;
      std::string worst, problems;
      int read = 0;
      for (const auto& f : files) {
        FILE* fp = fopen(f.c_str(), "r");
        X509* x = fp ? PEM_read_X509(fp, nullptr, nullptr, nullptr) : nullptr;
        if (fp) fclose(fp);
        if (!x) {
          problems += (problems.empty() ? "" : "；") + f + " 无法读取";
          continue;
        }
        int days = 0, secs = 0;
        ASN1_TIME_diff(&days, &secs, nullptr, X509_get0_notAfter(x));
        X509_free(x);
        ++read;
        double d = days + secs / 86400.0;
        if (d < min_days) {
          min_days = d;
          worst = f;
        }
      }
      if (read > 0) {
        c.metric = min_days;
        c.value = std::to_string(read) + " 个证书，最近到期：" + worst + "，剩 " +
                  Fixed(min_days, 0) + " 天";
        c.status = min_days < ic.cert_fail_days   ? "fail"
                   : min_days < ic.cert_warn_days ? "warn"
                                                  : "ok";
      } else {
        c.status = "fail";
        c.value = "";
      }
      if (!problems.empty()) {
        c.value += (c.value.empty() ? "" : "；") + problems;
        c.status = "fail";
      }
      c.advice = c.status == "ok" ? "证书有效期充足。"
                                  : "证书即将到期、已过期或无法读取：请及时续期并 reload nginx，"
                                    "过期后访问者会看到安全警告。";
    }
    out.push_back(std::move(c));
  }
  {
    Check c = Make("middleware.database_latency", "middleware", "数据库响应");
    c.unit = "ms";
    c.threshold = "SELECT 1 往返 < 100 ms";
    auto t0 = std::chrono::steady_clock::now();
    auto r = db.ReadValue<int64_t>([](store::Conn& cn) { return cn.QueryInt("SELECT 1"); });
    double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    c.metric = ms;
    if (!r) {
      c.status = "fail";
      c.value = db.Describe() + "：查询失败：" + r.error().message;
      c.advice = "数据库无法访问：检查数据库服务状态、连接地址与权限。";
    } else {
      c.value = db.Describe() + "，往返 " + Fixed(ms, 1) + " ms";
      c.status = ms >= 1000 ? "fail" : ms >= 100 ? "warn" : "ok";
      c.advice = c.status == "ok" ? "数据库响应正常。"
                                  : "数据库响应慢：检查数据库服务器负载、磁盘 I/O 与网络延迟。";
    }
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace zhanqun::inspect
