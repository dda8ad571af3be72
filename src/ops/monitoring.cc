// Monitoring's lifecycle: the prober and alert-sender threads, started,
// stopped and woken here; the clock (MonitorOptions::now_ms) every part reads.
// The rest of Monitoring lives in one file per job:
//   monitors.cc     monitor administration (CRUD, validation, results, site sync)
//   incidents.cc    incidents: list with the response-target figures, acknowledge
//   channels.cc     alert channels (CRUD, validation) and the delivery log
//   maintenance.cc  maintenance windows and 重保 mode settings
//   availability.cc availability per site and day (the census' measure)
//   status_page.cc  the HTML status page
//   metrics.cc      the counters and the /metrics text
//   incident_rules  what a result does: new state, incidents, alerts (pure)
//   prober.cc       the prober thread and the flush that applies those rules
//   alerts.cc       the outbox and its sender thread
#include "ops/monitoring.h"

#include <curl/curl.h>

#include <chrono>

#include "ops/internal.h"

namespace zhanqun::ops {

Monitoring::Monitoring(store::Db& db, MonitorOptions options)
    : db_(db), options_(std::move(options)), impl_(std::make_unique<Impl>(*this)) {}

Monitoring::~Monitoring() { Stop(); }

int64_t Monitoring::Now() const {
  if (options_.now_ms) return options_.now_ms();
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

Status Monitoring::Start() {
  if (!options_.config.enabled || impl_->prober.joinable()) return {};
  static std::once_flag curl_once;
  std::call_once(curl_once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  CURLM* m = curl_multi_init();
  if (!m) return Fail(Error::Internal("curl_multi_init failed"));
  impl_->multi = m;
  {
    std::lock_guard lock(impl_->mu);
    impl_->stop = false;
    impl_->reload = true;
  }
  impl_->prober = std::thread([this] { impl_->ProberLoop(); });
  impl_->sender = std::thread([this] { impl_->SenderLoop(); });
  return {};
}

void Monitoring::Stop() {
  if (!impl_->prober.joinable()) return;
  {
    std::lock_guard lock(impl_->mu);
    impl_->stop = true;
  }
  impl_->cv.notify_all();
  curl_multi_wakeup(static_cast<CURLM*>(impl_->multi));
  impl_->prober.join();
  impl_->sender.join();
  curl_multi_cleanup(static_cast<CURLM*>(impl_->multi));
  impl_->multi = nullptr;
}

void Monitoring::Wake() {
  {
    std::lock_guard lock(impl_->mu);
    impl_->reload = true;
    impl_->send_now = true;
  }
  impl_->cv.notify_all();
  if (impl_->multi) curl_multi_wakeup(static_cast<CURLM*>(impl_->multi));
}

}  // namespace zhanqun::ops
