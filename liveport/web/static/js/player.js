// The room's video (liveport.media): the live stream through hls.js tuned for low delay
// (native HLS where hls.js cannot run), a calm note while the host is off air, and the
// replay with one chapter per product once the show has ended. It runs beside room.js and
// shares nothing with it: a stalled or missing video never touches chat, cards or buying.
(function () {
  "use strict";

  var root = document.getElementById("player");
  if (!root) { return; }
  var t = root.dataset;
  var english = t.lang === "en";
  var video = document.getElementById("video");
  var offline = document.getElementById("video-offline");
  var chapters = document.getElementById("chapters");
  var statusUrl = "/api/v1/shows/" + encodeURIComponent(t.showId) + "/stream/status";
  var replayApi = "/api/v1/shows/" + encodeURIComponent(t.showId) + "/replay";
  var hls = null;
  var mode = "none"; // "live" | "replay" | "offline"
  var timer = null;

  // 1-second segments: play about one segment behind the newest, catch up gently when
  // further behind, keep little buffer. Plain HLS (no LL-HLS parts on the origin).
  var LIVE = {
    lowLatencyMode: false,
    liveSyncDuration: 1.0,
    liveMaxLatencyDuration: 3.5,
    maxLiveSyncPlaybackRate: 1.3,
    maxBufferLength: 4,
    backBufferLength: 4,
    initialLiveManifestSize: 1,
    manifestLoadingMaxRetry: 1,
    levelLoadingMaxRetry: 2,
    fragLoadingMaxRetry: 2,
    enableWorker: true
  };

  function stopPlayer() {
    if (hls) { hls.destroy(); hls = null; }
    video.removeAttribute("src");
    video.load();
  }

  function play(url, config, onFatal) {
    stopPlayer();
    video.hidden = false;
    if (window.Hls && window.Hls.isSupported()) {
      hls = new window.Hls(config);
      hls.on(window.Hls.Events.ERROR, function (_event, data) {
        if (data.fatal) { onFatal(); }
      });
      hls.loadSource(url);
      hls.attachMedia(video);
    } else if (video.canPlayType("application/vnd.apple.mpegurl")) {
      video.src = url;
      video.onerror = onFatal;
    } else {
      onFatal();
      return;
    }
    var started = video.play();
    if (started && started.catch) { started.catch(function () { /* autoplay refused: controls remain */ }); }
  }

  function showOffline() {
    if (mode === "offline") { return; }
    mode = "offline";
    stopPlayer();
    video.hidden = true;
    offline.hidden = false;
  }

  function goLive(url) {
    if (mode === "live") { return; }
    mode = "live";
    offline.hidden = true;
    chapters.hidden = true;
    play(url, LIVE, function () { showOffline(); schedule(3000); });
  }

  function chapterItem(chapter) {
    var li = document.createElement("li");
    var name = document.createElement("span");
    name.className = "name";
    name.textContent = english ? chapter.name_en : chapter.name_zh;
    var price = document.createElement("span");
    price.className = "price";
    price.textContent = "¥" + chapter.price_cny;
    var jump = document.createElement("button");
    jump.type = "button";
    jump.className = "button jump";
    jump.textContent = t.tJump;
    jump.addEventListener("click", function () {
      video.currentTime = Number(chapter.start_s);
      var started = video.play();
      if (started && started.catch) { started.catch(function () {}); }
    });
    li.dataset.productId = String(Number(chapter.product_id));
    li.appendChild(name);
    li.appendChild(price);
    li.appendChild(jump);
    if (Number(chapter.available) > 0) {
      var buy = document.createElement("a");
      buy.className = "button buy";
      buy.href = "/shows/" + encodeURIComponent(t.showId) + "#product-" + Number(chapter.product_id);
      buy.textContent = t.tBuy + " (" + Number(chapter.available) + " " + t.tLeft + ")";
      li.appendChild(buy);
    } else {
      var gone = document.createElement("span");
      gone.className = "sold-out";
      gone.textContent = t.tSoldOut;
      li.appendChild(gone);
    }
    return li;
  }

  function goReplay() {
    if (mode === "replay") { return; }
    fetch(replayApi, { credentials: "same-origin" }).then(function (response) {
      if (!response.ok) { throw new Error("no replay"); }
      return response.json();
    }).then(function (replay) {
      mode = "replay";
      offline.hidden = true;
      var list = document.getElementById("chapter-list");
      list.textContent = "";
      replay.chapters.forEach(function (chapter) { list.appendChild(chapterItem(chapter)); });
      chapters.hidden = replay.chapters.length === 0;
      play(replay.playlist_url, { enableWorker: true }, showOffline);
    }).catch(showOffline);
  }

  function check() {
    fetch(statusUrl, { credentials: "same-origin", cache: "no-cache" }).then(function (response) {
      if (!response.ok) { throw new Error("HTTP " + response.status); }
      return response.json();
    }).then(function (status) {
      if (status.state === "live" && status.live_url) {
        goLive(status.live_url);
        schedule(15000);
      } else if (status.show_status === "ended" && status.replay_url) {
        goReplay();
      } else {
        showOffline();
        schedule(5000);
      }
    }).catch(function () { schedule(10000); });
  }

  // While off air, ask again every few seconds (spread out so a crowd does not ask at once).
  function schedule(ms) {
    if (timer) { clearTimeout(timer); }
    timer = setTimeout(check, ms + Math.floor(Math.random() * 1000));
  }

  check();
}());
