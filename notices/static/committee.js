/* The committee's desk (/m/committee): publish notices (poster, QR), print household letters with a progress bar,
   review binding requests and proxy authorisations. Built on m.js (Gongjian) like the vote desk: its staff sign-in,
   API calls with the staff token (renewed when it runs out) and downloads. */
(function () {
  "use strict";
  var G = window.Gongjian, staff = G.staffApi, esc = G.esc, on = G.on, val = G.val, $ = function (s) { return document.querySelector(s); };
  var KIND_NAMES = {announcement: "公告", vote_notice: "表决通知", survey_invite: "问卷邀请", result_notice: "结果公示"};

  function cid() { return $("#compound").value; }

  async function loadNotices() {
    var list = await staff("GET", "/api/v1/compounds/" + cid() + "/notices?per_page=20");
    $("#notices").innerHTML = list.map(function (n) {
      return '<div class="row"><strong>' + esc(n.title) + "</strong>（" + esc(KIND_NAMES[n.kind]) + "，扫码 " + n.scan_count +
        " 次）<br><a href=\"" + esc(n.url) + '" target="_self">' + esc(n.url) + "</a><br>" +
        '<button type="button" class="button" data-dl="/api/v1/notices/' + n.id + '/poster.pdf" data-name="notice-' + n.id + '.pdf">下载海报（A4）</button>' +
        '<button type="button" class="button quiet" data-dl="/api/v1/notices/' + n.id + '/qr.png" data-name="notice-' + n.id + '.png">二维码 PNG</button>' +
        '<button type="button" class="button quiet" data-dl="/api/v1/notices/' + n.id + '/qr.svg" data-name="notice-' + n.id + '.svg">二维码 SVG</button></div>';
    }).join("") || "<p>还没有通知。</p>";
  }

  async function loadReviews() {
    var reqs = await staff("GET", "/api/v1/compounds/" + cid() + "/binding-requests");
    $("#requests").innerHTML = reqs.map(function (r) {
      return '<div class="row">' + esc(r.name) + " 申请绑定 " + esc(r.address) + "（" + esc(r.relation) + "）" +
        (r.note ? "<br>说明：" + esc(r.note) : "") + (r.unit_id ? "" : '<br><span class="warn">名册中无此房屋</span>') +
        decisionButtons("binding-requests", r.id) + "</div>";
    }).join("") || "<p>没有待审核的申请。</p>";
    var proxies = await staff("GET", "/api/v1/compounds/" + cid() + "/proxies");
    $("#proxies").innerHTML = proxies.map(function (p) {
      return '<div class="row">' + esc(p.proxy_name) + " 代 " + esc(p.owner_name) + "（" + esc(p.unit.label) + "）" +
        '<br><button type="button" class="button quiet" data-photo="' + p.id + '">查看委托书照片</button>' +
        '<div id="photo-' + p.id + '"></div>' + decisionButtons("proxies", p.id) + "</div>";
    }).join("") || "<p>没有待审核的委托书。</p>";
  }
  function decisionButtons(kind, id) {
    return '<button type="button" class="button primary" data-decide="' + kind + "/" + id + '" data-approve="1">通过</button>' +
      '<label for="reason-' + kind + id + '">驳回原因</label><input type="text" id="reason-' + kind + id + '">' +
      '<button type="button" class="button quiet" data-decide="' + kind + "/" + id + '" data-approve="0" data-reason="reason-' + kind + id + '">驳回</button>';
  }

  async function pollLetters(job) {
    var bar = $("#letters-progress"), status = $("#letters-status");
    bar.hidden = false;
    while (job.status === "queued" || job.status === "running") {
      bar.value = job.total ? Math.round(100 * job.done / job.total) : 0;
      status.textContent = "正在生成：" + job.done + " / " + job.total + " 户";
      await new Promise(function (res) { setTimeout(res, 1000); });
      job = await staff("GET", "/api/v1/letter-jobs/" + job.id);
    }
    bar.value = 100;
    if (job.status === "done") {
      status.innerHTML = "已生成 " + job.total + ' 户。<button type="button" class="button primary" data-dl="' +
        esc(job.download_url) + '" data-name="letters-' + job.id + '.pdf">下载入户信 PDF</button>';
    } else { status.textContent = "生成失败，请重试。"; }
  }

  async function desk() {
    var compounds = await staff("GET", "/api/v1/compounds?per_page=500");
    $("#compound").innerHTML = compounds.map(function (c) { return '<option value="' + c.id + '">' + esc(c.name) + "</option>"; }).join("");
    $("#compound").addEventListener("change", function () {
      loadNotices().then(loadReviews).catch(function (e) { G.showError(e.message); });
    });
    await loadNotices(); await loadReviews();
  }

  function init() {
    G.staffDesk(desk);
    on("publish", async function () {
      var data = {kind: val("n-kind"), title: val("n-title"), body: $("#n-body").value};
      // the number links the notice to what it announces: a vote, a survey or a co-funding campaign
      var link = {survey_invite: "survey_id", money_notice: "campaign_id"}[data.kind] || "vote_id";
      if (val("n-link")) data[link] = Number(val("n-link"));
      if (val("n-expires")) data.expires_at = G.beijingIso(val("n-expires"));
      await staff("POST", "/api/v1/compounds/" + cid() + "/notices", data);
      $("#n-title").value = ""; $("#n-body").value = "";
      await loadNotices();
    });
    on("letters", async function () {
      var job = await staff("POST", "/api/v1/compounds/" + cid() + "/letters",
        {building: val("l-building") || null, entrance: val("l-entrance") || null});
      await pollLetters(job);
    });
    document.addEventListener("click", async function (ev) {
      var t = ev.target;
      try {
        if (t.dataset.dl) { await G.download(t.dataset.dl, t.dataset.name); }
        else if (t.dataset.photo) {
          var r = await G.api("GET", "/api/v1/proxies/" + t.dataset.photo + "/photo", undefined, {staff: true, raw: true});
          var blob = await r.blob();
          $("#photo-" + t.dataset.photo).innerHTML = '<img class="proxy-photo" alt="委托书照片" src="' + URL.createObjectURL(blob) + '">';
        } else if (t.dataset.decide) {
          var approve = t.dataset.approve === "1";
          await staff("POST", "/api/v1/" + t.dataset.decide + "/decision",
            {approve: approve, reason: approve ? "" : val(t.dataset.reason)});
          await loadReviews();
        }
      } catch (e) { G.showError(e.message); }
    });
  }
  init();
})();
