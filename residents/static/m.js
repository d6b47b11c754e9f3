/* 共建 mobile pages: one small script, no libraries. Each page's <body data-page> picks its handler.
   Tokens live in localStorage (sessionStorage if that is blocked); no cookies, no pop-ups, so WeChat's in-app
   browser works. Plain ES2017 for older in-app browsers. Every error shown is the API's Chinese message. */
(function () {
  "use strict";
  var body = document.body;
  var $ = function (sel) { return document.querySelector(sel); };
  var store = (function () {
    try { localStorage.setItem("gj-test", "1"); localStorage.removeItem("gj-test"); return localStorage; }
    catch (e) { return sessionStorage; }
  })();
  var NET_ERROR = "网络不太好，请检查网络后再试";
  // Every name shown (options, statuses, flats) and every threshold result comes from the API: nothing here
  // names a code or recomputes a rule.

  // For text and for attribute values alike: quotes too, or a title like x" onfocus="… would add a handler.
  var ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"};
  function esc(text) {
    return (text == null ? "" : String(text)).replace(/[&<>"']/g, function (c) { return ENTITIES[c]; });
  }
  /* Times are the compounds' (Beijing), whatever zone the phone or office computer is set to: the one date
     formatter of every page, worded as the server's local_text (backend/types.py): 2026年12月1日 04:14. */
  var BEIJING = new Intl.DateTimeFormat("zh-CN", {timeZone: "Asia/Shanghai", year: "numeric", month: "numeric",
    day: "numeric", hour: "2-digit", minute: "2-digit", hourCycle: "h23"});
  function when(iso) {
    if (!iso) return "";
    var parts = {};
    BEIJING.formatToParts(new Date(beijingIso(iso))).forEach(function (p) { parts[p.type] = p.value; });
    return parts.year + "年" + parts.month + "月" + parts.day + "日 " + parts.hour + ":" + parts.minute;
  }
  /* A datetime-local value ("2026-12-01T08:00") is a Beijing wall-clock time: send it with +08:00, never the
     device's offset. Values that already carry a zone pass unchanged. */
  function beijingIso(value) {
    if (!value || /(Z|[+-]\d\d:?\d\d)$/.test(value)) return value;
    return (value.length === 16 ? value + ":00" : value) + "+08:00";
  }
  /* The value for a datetime-local input showing ``date`` (a Date) as Beijing's wall clock. */
  function beijingInput(date) {
    return new Date(date.getTime() + 8 * 3600000).toISOString().slice(0, 16);
  }
  /* Money typed in yuan → integer fen by its digits, never through a float (0.10 + 0.20 is 30 fen, not
     30.000000000000004): "1,234.5", "¥8", "99元". null when it is not an amount with at most two decimals. */
  var YUAN = /^[¥￥]?(\d{1,12})(?:\.(\d{1,2}))?元?$/;
  function fen(text) {
    var m = YUAN.exec(String(text == null ? "" : text).replace(/[\s,，]/g, ""));
    return m ? parseInt(m[1] + (m[2] || "").concat("00").slice(0, 2), 10) : null;  // yuan digits, then two of fen
  }
  /* 123456 → "1234.56": an amount as an input's starting text, by integer arithmetic (no float on a money path). */
  function yuanText(amount) { return Math.floor(amount / 100) + "." + String(amount % 100).padStart(2, "0"); }
  /* 123456 → "¥1,234.56", for display only (the API's figures, in fen). */
  function yuan(amount) {
    var sign = amount < 0 ? "-" : "", abs = Math.abs(amount), whole = String(Math.floor(abs / 100));
    return sign + "¥" + whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",") + "." + String(abs % 100).padStart(2, "0");
  }
  /* The page's one error line. It moves next to the button pressed; when that part of the page is redrawn it goes
     with the old markup, so it is kept here and put back where the page had it. */
  var errorLine = null;
  function errorBox() {
    if (!errorLine) { var el = $(".error"); errorLine = {el: el, home: el.parentNode, next: el.nextSibling}; }
    if (!errorLine.el.isConnected) {
      errorLine.home.insertBefore(errorLine.el, errorLine.next && errorLine.next.parentNode === errorLine.home ? errorLine.next : null);
    }
    return errorLine.el;
  }
  function showError(message, near) {
    var el = errorBox();
    if (near && near.isConnected) near.insertAdjacentElement("afterend", el);  // next to the button pressed
    el.textContent = message;
    el.hidden = false;
    el.scrollIntoView({block: "center"});
  }
  function clearError() { errorBox().hidden = true; }
  function busy(button, on) { if (button) button.disabled = on; }

  function tokens(storage, access, refresh) {
    return {
      get: function () { return storage.getItem(access); },
      refreshToken: function () { return storage.getItem(refresh); },
      setAccess: function (t) { storage.setItem(access, t); },
      save: function (t) {
        storage.setItem(access, t.access_token);
        if (t.refresh_token) storage.setItem(refresh, t.refresh_token);
      },
      clear: function () { storage.removeItem(access); storage.removeItem(refresh); }
    };
  }
  var auth = tokens(store, "gj-access", "gj-refresh");
  // Staff tokens stay in this tab only (the office computer is shared); the committee pages all read these keys.
  var staffAuth = tokens(sessionStorage, "gj-staff", "gj-staff-refresh");

  /* Set while signing out: a request of the page still in flight then meets a revoked token, and its 401 must
     not send the resident to sign in again (with ?next=) instead of the plain sign-in page they asked for. */
  var signingOut = false;

  function signInAgain() {
    auth.clear();
    location.href = "/m/signin?next=" + encodeURIComponent(location.pathname + location.search + location.hash);
    return new Promise(function () {});  // the page is going away
  }

  function staffSignInAgain() {
    staffAuth.clear();
    location.reload();  // the committee page shows its sign-in card again
    return new Promise(function () {});
  }

  /* Revoke both tokens on the server (the refresh token would otherwise mint new ones for 14 days), then forget them. */
  async function signOut(keys, options) {
    signingOut = true;
    try { await api("POST", "/api/v1/auth/logout", undefined, options); } catch (e) { /* signing out anyway */ }
    var token = keys.refreshToken();
    if (token) {
      try {
        await fetch("/api/v1/auth/logout", {method: "POST", headers: {Authorization: "Bearer " + token}});
      } catch (e) { /* signing out anyway */ }
    }
    keys.clear();
  }

  async function refresh(keys) {
    var token = keys.refreshToken();
    if (!token) return false;
    var r = await fetch("/api/v1/auth/refresh", {method: "POST", headers: {Authorization: "Bearer " + token}});
    if (!r.ok) return false;
    keys.setAccess((await r.json()).access_token);
    return true;
  }

  /* Call the API; resolves to {status, data}. Throws an Error whose message is fit to show.
     options: anonymous (no token), staff (the committee's token), raw (resolve to the Response, for downloads). */
  async function api(method, path, payload, options) {
    options = options || {};
    var keys = options.staff ? staffAuth : auth;
    for (var attempt = 0; attempt < 2; attempt++) {
      var headers = {};
      var token = keys.get();
      if (token && !options.anonymous) headers.Authorization = "Bearer " + token;
      var init = {method: method, headers: headers};
      if (payload instanceof FormData) init.body = payload;
      else if (payload !== undefined) { headers["Content-Type"] = "application/json"; init.body = JSON.stringify(payload); }
      var r;
      try { r = await fetch(path, init); } catch (e) { throw new Error(NET_ERROR); }
      if (r.status === 401 && !options.anonymous && token) {
        if (signingOut) throw new Error("已退出登录");
        if (attempt === 0 && await refresh(keys)) continue;
        return options.staff ? staffSignInAgain() : signInAgain();
      }
      if (options.raw && r.ok) return r;
      var data = null;
      if (r.status !== 204) { try { data = await r.json(); } catch (e) { data = null; } }
      if (!r.ok) {
        var err = new Error((data && data.message) || "出错了，请稍后再试");
        err.status = r.status; err.code = data && data.code; err.data = data;
        throw err;
      }
      return {status: r.status, data: data};
    }
  }

  function requireSignIn() {
    if (!auth.get()) { signInAgain(); return false; }
    return true;
  }

  function guard(button, fn) {
    return async function () {
      clearError();
      busy(button, true);
      try { await fn(); } catch (e) { showError(e.message, button); } finally { busy(button, false); }
    };
  }
  function on(id, fn) {
    var el = document.getElementById(id);
    if (el) el.addEventListener("click", guard(el, fn));
  }
  function val(id) { var el = document.getElementById(id); return el ? el.value.trim() : ""; }

  /* ---- sign-in ---- */
  function consentGiven() {
    if ($("#consent").checked) return true;
    throw new Error("请先勾选“我已阅读并同意”");
  }
  function finishSignIn(tokens, next) {
    auth.save(tokens);
    location.replace(next || body.dataset.next || "/m/home");
  }
  var pages = {};
  // Typing or picking an answer clears the old complaint (on "input", not "change": "change" fires on blur,
  // i.e. on the press of the next button, and the layout would jump under the finger).
  document.addEventListener("input", clearError);
  pages.signin = function () {
    on("wechat-login", async function () {
      consentGiven();
      var nonce = Math.random().toString(36).slice(2) + Date.now().toString(36);
      sessionStorage.setItem("gj-wechat-nonce", nonce);
      location.href = "/m/wechat/start?consent=1&nonce=" + nonce + "&next=" + encodeURIComponent(body.dataset.next);
    });
    on("sms-send", async function () {
      var r = await api("POST", "/api/v1/residents/auth/sms/send", {phone: val("phone")}, {anonymous: true});
      var minutes = Math.round(r.data.expires_in / 60);
      var note = $("#sms-note") || document.createElement("p");
      note.id = "sms-note"; note.className = "ok";
      note.textContent = "验证码已发送，" + minutes + "分钟内有效。";
      $("#sms-send").insertAdjacentElement("afterend", note);
    });
    on("sms-login", async function () {
      consentGiven();
      var r = await api("POST", "/api/v1/residents/auth/sms/verify",
        {phone: val("phone"), code: val("sms-code"), consent: true}, {anonymous: true});
      finishSignIn(r.data);
    });
    on("dev-login", async function () {
      consentGiven();
      var r = await api("POST", "/api/v1/residents/auth/dev", {subject: val("dev-subject") || "demo", consent: true},
        {anonymous: true});
      finishSignIn(r.data);
    });
  };

  pages.wechat_callback = async function () {
    var q = new URLSearchParams(location.search);
    try {
      if (!q.get("code")) throw new Error("您没有同意微信授权，请重新登录");
      var r = await api("POST", "/api/v1/residents/auth/wechat", {code: q.get("code"), state: q.get("state") || ""},
        {anonymous: true});
      // The sign-in must have started on this phone, in this tab: no one can slip us their own account.
      if (r.data.nonce !== sessionStorage.getItem("gj-wechat-nonce")) throw new Error("登录请求无效，请重新点击“微信登录”");
      sessionStorage.removeItem("gj-wechat-nonce");
      finishSignIn(r.data, r.data.next);
    } catch (e) {
      $("#status").textContent = "";
      $("#retry").hidden = false;
      showError(e.message);
    }
  };

  /* ---- binding ---- */
  // The binding form needs the compound (for the roster match and requests) and where to go afterwards.
  function bindLink(compoundId, next) {
    var q = [];
    if (compoundId) q.push("compound=" + encodeURIComponent(compoundId));
    if (next) q.push("next=" + encodeURIComponent(next));
    return "/m/bind" + (q.length ? "?" + q.join("&") : "");
  }
  function address() {
    return {compound_id: Number(body.dataset.compound), building: val("building"), entrance: val("entrance") || "1",
      room: val("room")};
  }
  function bound(binding) {
    var next = body.dataset.next || "/m/home";
    document.querySelector("main").innerHTML = '<h1>绑定成功</h1><p class="ok">您已绑定 ' +
      esc(binding.unit.compound.name + " " + binding.unit.label) + "（" + esc(binding.relation_name) + "）。</p>" +
      '<a class="button primary" href="' + esc(next) + '">继续</a><p class="error" role="alert" hidden></p>';
  }
  pages.bind = function () {
    if (!requireSignIn()) return;
    var m = /code=([A-Za-z0-9 -]+)/.exec(decodeURIComponent(location.hash));
    if (m) $("#invite-code").value = m[1];
    if (!body.dataset.compound) {
      document.querySelectorAll(".needs-compound").forEach(function (el) { el.hidden = true; });
      $(".no-compound").hidden = false;
    }
    // Whoever empties the letterbox holds the code; only an owner votes, so "我是业主" also asks for the name.
    var relation = $("#invite-relation");
    function ownerNameShown() { $("#invite-owner").hidden = relation.value !== "owner"; }
    relation.addEventListener("change", ownerNameShown);
    ownerNameShown();
    on("bind-code", async function () {
      var data = {code: val("invite-code"), relation: relation.value};
      if (data.relation === "owner") data.owner_name = val("invite-owner-name");
      var r = await api("POST", "/api/v1/my/bindings/invite", data);
      history.replaceState(null, "", location.pathname + location.search);  // the code is spent: drop it
      bound(r.data);
    });
    on("bind-roster", async function () {
      var data = address();
      data.owner_name = val("owner-name"); data.phone_last4 = val("phone-last4");
      bound((await api("POST", "/api/v1/my/bindings/roster", data)).data);
    });
    on("bind-request", async function () {
      var data = address();
      data.name = val("request-name"); data.relation = val("request-relation"); data.note = val("request-note");
      await api("POST", "/api/v1/my/binding-requests", data);
      document.querySelector("main").innerHTML = '<h1>申请已提交</h1><p class="ok">居委会核实后会为您绑定，' +
        '结果在“我的小区”里显示。</p><a class="button primary" href="/m/home">回到我的小区</a>';
    });
  };

  /* ---- my household ---- */
  function statusSpan(status, name) { return '<span class="status ' + esc(status) + '">' + esc(name) + "</span>"; }
  pages.home = async function () {
    if (!requireSignIn()) return;
    on("signout", async function () {
      await signOut(auth);
      location.href = "/m/signin";
    });
    try {
      var h = (await api("GET", "/api/v1/my/household")).data;
      $("#units").innerHTML = h.bindings.length ? h.bindings.map(function (b) {
        return '<div class="row"><strong>' + esc(b.unit.compound.name) + " " + esc(b.unit.label) + "</strong><br>" +
          esc(b.relation_name) + (b.may_vote ? "（可投票）" : "（可查看通知，不参加业主表决）") + "</div>";
      }).join("") : "<p>您还没有绑定房屋。</p>";
      if (h.bindings.length) {
        $("#proxy-link").href = "/m/proxy?compound=" + h.bindings[0].unit.compound.id;
        $("#bind-link").href = bindLink(h.bindings[0].unit.compound.id);
      }
      var pending = h.requests.map(function (r) {
        return '<div class="row">绑定 ' + esc(r.address) + "：" + statusSpan(r.status, r.status_name) +
          (r.reason ? "<br>原因：" + esc(r.reason) : "") + "</div>";
      }).concat(h.proxies.map(function (p) {
        return '<div class="row">委托投票 ' + esc(p.unit.label) + "（业主 " + esc(p.owner_name) + "）：" +
          statusSpan(p.status, p.status_name) + (p.reason ? "<br>原因：" + esc(p.reason) : "") + "</div>";
      }));
      if (pending.length) { $("#requests").innerHTML = pending.join(""); $("#requests-card").hidden = false; }
    } catch (e) { showError(e.message); }
    try {
      var votes = (await api("GET", "/api/v1/my/votes")).data;
      $("#votes").innerHTML = votes.length ? votes.map(function (v) {
        var units = (v.units || []).map(function (u) {
          return "<li>" + esc(u.label) + "：" + (u.voted ? statusSpan("voted", "已投票") +
            (u.receipt ? ' 回执码 <span class="receipt">' + esc(u.receipt) + "</span>" : "") : "未投票") + "</li>";
        }).join("");
        var waiting = (v.units || []).some(function (u) { return !u.voted; });
        var link = v.status === "open" && waiting ? '<a class="button primary" href="/m/vote/' + v.id +
          (v.compound ? "?compound=" + v.compound.id : "") + '">去投票</a>' :
          v.status === "announced" ? '<a class="button" href="/m/results/' + v.id + '">查看结果</a>' : "";
        return '<div class="row"><strong>' + esc(v.title) + "</strong><br>" + esc(v.status_name) +
          "，截止 " + esc(when(v.closes_at)) + "<ul>" + units + "</ul>" + link + "</div>";
      }).join("") : "<p>目前没有需要您参与的表决。</p>";
    } catch (e) {
      $("#votes").innerHTML = "<p>" + esc(e.status === 404 ? "目前没有需要您参与的表决。" : e.message) + "</p>";
    }
    for (var i = 0; i < homeParts.length; i++) {
      try { await homeParts[i](); } catch (e) { showError(e.message); }
    }
  };

  /* Other features add their cards to "我的小区" by pushing a function here (run after the votes card). */
  var homeParts = [];

  /* ---- property management (management/) ---- */
  // Who manages each compound the household lives in, at what fee, and how it was chosen: the API's words.
  /* Each bound unit's fee account: the monthly fee, what is owed and since when, and the last months. */
  function feeAccountHtml(a) {
    var owed = a.owed_fen ? '<span class="warn">欠缴 ' + esc(a.months_owed) + " 个月，共 " + esc(yuan(a.owed_fen)) + "（最早 " +
      esc(a.first_owed_text) + "）</span>" : '<span class="pass">物业费已缴清</span>';
    return '<div class="row fee-account"><strong>' + esc(a.unit.label) + "</strong>" +
      (a.monthly_fen != null ? "<br>每月物业费 " + esc(yuan(a.monthly_fen)) + "（" + esc(a.unit.area) + " 平方米）" : "") +
      "<br>" + owed + (a.recent.length ? "<details><summary>最近各月</summary><ul>" + a.recent.map(function (m) {
        return "<li>" + esc(m.period_text) + "：应缴 " + esc(yuan(m.due_fen)) + "，" + esc(m.status_name) + "</li>";
      }).join("") + "</ul></details>" : "") + "</div>";
  }
  homeParts.push(async function () {
    var list = (await api("GET", "/api/v1/my/management")).data;
    if (!list.length) return;
    var fees = (await api("GET", "/api/v1/my/management/fees")).data.filter(function (a) { return a.recent.length; });
    $("#home-management").innerHTML = '<section class="card" id="management-card"><h2>物业管理</h2>' + list.map(function (m) {
      return '<div class="row"><strong>' + esc(m.compound.name) + "</strong>：" + esc(m.model_name) +
        (m.unmanaged ? '<br><span class="warn">目前无人负责（失管），请联系社区居委会</span>' : "<br>负责：" + esc(m.responsible_party)) +
        (m.fee_fen_per_m2_month != null ? "<br>物业费：每月每平方米 " + esc(yuan(m.fee_fen_per_m2_month)) : "") +
        (m.provider_name ? "<br>物业服务：" + esc(m.provider_name) : "") +
        (m.provider_contact ? '<br>联系电话：<a href="tel:' + esc(m.provider_contact) + '">' + esc(m.provider_contact) + "</a>" : "") +
        (m.basis ? "<br>依据：" + esc(m.basis) + (m.effective_from ? "（" + esc(m.effective_from_text) + "起）" : "") : "") + "</div>";
    }).join("") + (fees.length ? "<h3>我家的物业费</h3>" + fees.map(feeAccountHtml).join("") : "") + "</section>";
  });

  /* ---- projects (projects/) ---- */
  /* The renovation works of the household's compounds: each step with the date it was done (the API's dates), the
     step under way, and what the money goes to, item by item (underground works first, as the API orders them). */
  homeParts.push(async function () {
    var projects = (await api("GET", "/api/v1/my/projects")).data;
    if (!projects.length) return;
    var categories = problemCategories = problemCategories || (await api("GET", "/api/v1/problem-categories")).data;
    var slot = $("#home-projects");
    if (!slot) {
      slot = document.createElement("div");
      slot.id = "home-projects";
      $("#home-management").insertAdjacentElement("afterend", slot);
    }
    /* What the household's money went to: its own co-funding for the works listed above, and where the rest of the
       money comes from (the API's figures). */
    function projectMoney(p) {
      var mine = p.my_money.map(function (m) {
        return "<li>" + esc(m.label) + "：应摊 " + esc(yuan(m.share_fen)) + "，已认捐 " + esc(yuan(m.pledged_fen)) + "，已缴 " +
          esc(yuan(m.paid_fen)) + "（" + esc(m.campaign_title) + "）</li>";
      }).join("");
      var sources = p.funding.map(function (f) {
        return "<li>" + esc(f.source_name) + "：计划 " + esc(yuan(f.planned_fen)) + "，已到位 " + esc(yuan(f.arrived_fen)) + "</li>";
      }).join("");
      return '<div class="project-money">' + (mine ? "<h3>您家的出资（用于以上改造内容）</h3><ul>" + mine + "</ul>" : "") +
        (sources ? "<h3>资金来源</h3><ul>" + sources + "</ul>" : "") + "</div>";
    }
    slot.innerHTML = '<section class="card" id="projects-card"><h2>小区改造</h2>' + projects.map(function (p) {
      var steps = p.steps.map(function (s) {
        var state = s.state === "pending" ? esc(s.state_name) : '<span class="' + (s.state === "done" ? "pass" : "warn") +
          '">' + esc(s.state_name) + "</span>" + (s.completed_on ? " " + esc(s.completed_on) : "");
        var plan = s.plan_level_name ? "（" + esc(s.plan_level_name) + (s.plan_year ? " " + esc(s.plan_year) + "年" : "") + "）" : "";
        return '<li' + (s.state === "current" ? ' aria-current="step"' : "") + ">" + esc(s.step_name) + plan + "：" +
          state + "</li>";
      }).join("");
      var items = p.items.map(function (i) {
        return "<li>" + esc(i.title || i.code_name) + "（" + esc(i.tier_name) + (i.underground ? "，地下工程" : "") + "）：" +
          esc(yuan(i.planned_fen)) + "</li>";
      }).join("");
      return '<div class="row project"><strong>' + esc(p.title) + "</strong><br>" +
        esc(p.compounds.map(function (c) { return c.name; }).join("、")) +
        "<h3>进度</h3><ol class=\"project-steps\">" + steps + "</ol>" +
        (items ? "<h3>改造内容（计划投资 " + esc(yuan(p.planned_investment_fen)) + "）</h3><ul>" + items + "</ul>" : "") +
        projectMoney(p) + problemForm(p, categories) + "</div>";
    }).join("") + '</section><section class="card" id="my-problems" hidden><h2>我反映的施工问题</h2><div id="my-problem-list"></div></section>';
    slot.querySelectorAll("form.problem-form").forEach(function (form) {
      form.addEventListener("submit", function (ev) { ev.preventDefault(); });
      var button = form.querySelector("button[type=submit]");
      button.addEventListener("click", guard(button, function () { return fileProblem(form); }));
    });
    await showMyProblems();
  });
  /* Construction problems: under each project a form (text, building, category, up to 3 photos); below, the
     household's reports with the committee's answer. Photos are behind the token: fetched, shown as blob URLs. */
  var problemCategories = null;
  function problemForm(p, categories) {
    var id = "pf-" + p.id;
    return '<form class="problem-form" id="' + id + '" data-project="' + esc(p.id) + '" novalidate><h3>反映施工问题</h3>' +
      '<p class="hint">噪音、安全隐患、出行不便、施工质量等问题，居委会会答复。照片里的位置信息会被去除。</p>' +
      '<label for="' + id + '-text">问题描述（必填，不超过1000字）</label><textarea id="' + id + '-text" rows="3" maxlength="1000"></textarea>' +
      '<label for="' + id + '-building">楼栋</label><input id="' + id + '-building" type="text" maxlength="32" inputmode="numeric">' +
      '<label for="' + id + '-category">类别</label><select id="' + id + '-category">' + categories.map(function (c) {
        return '<option value="' + esc(c.code) + '">' + esc(c.name) + "</option>";
      }).join("") + "</select>" +
      '<label for="' + id + '-photos">照片（可选，最多3张）</label><input id="' + id + '-photos" type="file" accept="image/jpeg,image/png,image/webp" multiple>' +
      '<button type="submit" class="button primary" id="' + id + '-submit">提交</button><p class="ok" id="' + id + '-done" aria-live="polite"></p></form>';
  }
  async function fileProblem(form) {
    var id = form.id, text = val(id + "-text"), photos = document.getElementById(id + "-photos").files;
    if (!text) throw new Error("请写明遇到的问题");
    if (photos.length > 3) throw new Error("最多上传3张照片");
    var data = new FormData();
    data.append("text", text);
    data.append("building", val(id + "-building"));
    data.append("category", val(id + "-category"));
    for (var i = 0; i < photos.length; i++) data.append("photos", photos[i]);
    await api("POST", "/api/v1/my/projects/" + form.dataset.project + "/problems", data);
    form.reset();
    document.getElementById(id + "-done").textContent = "已提交，居委会会尽快答复。";
    await showMyProblems();
  }
  async function showMyProblems() {
    var list = (await api("GET", "/api/v1/my/problems?per_page=50")).data;
    var card = $("#my-problems");
    if (!card) return;
    card.hidden = !list.length;
    $("#my-problem-list").innerHTML = list.map(function (p) {
      return '<div class="row problem" data-problem="' + esc(p.id) + '"><strong>' + esc(p.category_name) + "</strong> " +
        '<span class="status ' + (p.status === "open" ? "pending" : "approved") + '">' + esc(p.status_name) + "</span> " +
        esc(when(p.created_at)) + "<p>" + esc(p.text) + "</p>" +
        p.photos.map(function (ph, n) {
          return '<img class="problem-photo" width="96" data-src="' + esc(ph.url) + '" alt="问题照片' + (n + 1) + '">';
        }).join("") + (p.reply ? '<p class="reply">居委会答复：' + esc(p.reply) + "</p>" : "") + "</div>";
    }).join("");
    await showPhotos($("#my-problem-list"), {});
  }
  async function showPhotos(container, options) {
    var imgs = container.querySelectorAll("img[data-src]");
    for (var i = 0; i < imgs.length; i++) {
      var r = await api("GET", imgs[i].dataset.src, undefined, Object.assign({raw: true}, options));
      imgs[i].src = URL.createObjectURL(await r.blob());
      imgs[i].removeAttribute("data-src");
    }
  }

  /* ---- surveys (surveys/) ---- */
  // surveys: resident pages and the home card go here
  /* One form for a survey's questions, used by the answer page and by the desk's paper entry (desk.js reaches it
     as Gongjian.pages.survey.form). Types, names and the show_if condition come from the API's questions. */
  var surveyForm = (function () {
    var OTHER = "__other";
    function qid(prefix, key) { return prefix + "-" + key; }
    function optionInput(type, name, value, label) {
      return '<label class="option"><input type="' + type + '" name="' + esc(name) + '" value="' + esc(value) + '"> ' +
        esc(label) + "</label>";
    }
    function otherInput(prefix, q, type) {
      if (!q.allow_other) return "";
      return optionInput(type, qid(prefix, q.key), OTHER, "其他（请注明）") +
        '<label for="' + qid(prefix + "-other", q.key) + '" class="hint">“其他”的内容</label>' +
        '<input type="text" maxlength="200" id="' + qid(prefix + "-other", q.key) + '">';
    }
    function ranking(prefix, q) {
      var n = q.options.length, numbers = '<option value="">不排</option>';
      for (var i = 1; i <= n; i++) numbers += '<option value="' + i + '">第' + i + "位</option>";
      return '<p class="hint">给最重要的选“第1位”，依次往下；不想排的选“不排”。</p>' + q.options.map(function (o) {
        var id = qid(prefix + "-rank-" + q.key, o.code);
        return '<div class="rank-row"><label for="' + esc(id) + '">' + esc(o.label) + '</label><select id="' + esc(id) +
          '" data-code="' + esc(o.code) + '">' + numbers + "</select></div>";
      }).join("");
    }
    function scale(prefix, q) {
      var out = '<div class="scale">';
      for (var i = 1; i <= 5; i++) out += optionInput("radio", qid(prefix, q.key), String(i), i + "分");
      return out + '</div><p class="hint">1分很不满意（或很不同意），5分很满意（或很同意）。</p>';
    }
    function field(prefix, q, n) {
      var inner = q.type === "single" ? q.options.map(function (o) { return optionInput("radio", qid(prefix, q.key), o.code, o.label); }).join("") + otherInput(prefix, q, "radio") :
        q.type === "multiple" ? (q.max_choices ? '<p class="hint">最多选' + q.max_choices + "项</p>" : "") +
          q.options.map(function (o) { return optionInput("checkbox", qid(prefix, q.key), o.code, o.label); }).join("") + otherInput(prefix, q, "checkbox") :
        q.type === "ranking" ? ranking(prefix, q) :
        q.type === "scale" ? scale(prefix, q) :
        '<label for="' + qid(prefix + "-text", q.key) + '" class="hint">请填写</label><textarea rows="3" maxlength="2000" id="' + qid(prefix + "-text", q.key) + '"></textarea>';
      return '<fieldset class="card item question" id="' + qid(prefix + "-q", q.key) + '" data-key="' + esc(q.key) +
        '" aria-describedby="' + qid(prefix + "-err", q.key) + '"><legend><h3>' + n + ". " + esc(q.title) +
        (q.required ? ' <span class="required">（必答）</span>' : "") + " <small>" + esc(q.type_name) + "</small></h3></legend>" +
        (q.description ? "<p>" + esc(q.description) + "</p>" : "") + inner +
        '<p class="field-error" id="' + qid(prefix + "-err", q.key) + '" hidden></p></fieldset>';
    }
    function render(container, questions, prefix) {
      var section = null, n = 0;
      container.innerHTML = questions.map(function (q) {
        var head = "";
        if (q.section && q.section !== section) head = '<h2 class="section">' + esc(q.section) + "</h2>";
        section = q.section;
        return head + field(prefix, q, ++n);
      }).join("");
      function live() { showIf(container, questions, prefix); }
      live();
      if (container.dataset.wired) return;  // rendered again (the desk after each paper sheet): one set of listeners
      container.dataset.wired = "1";
      container.addEventListener("change", live);
      container.addEventListener("input", function (ev) {
        var other = ev.target.id && ev.target.id.indexOf(prefix + "-other-") === 0;
        if (other && ev.target.value) {  // typing the "other" text picks the "other" option
          var box = container.querySelector('input[name="' + qid(prefix, ev.target.id.slice((prefix + "-other-").length)) + '"][value="' + OTHER + '"]');
          if (box && !box.checked) { box.checked = true; live(); }
        }
      });
    }
    function value(container, q, prefix) {
      var name = qid(prefix, q.key);
      var other = function () { var el = document.getElementById(qid(prefix + "-other", q.key)); return {other: el ? el.value.trim() : ""}; };
      if (q.type === "single" || q.type === "scale") {
        var picked = container.querySelector('input[name="' + name + '"]:checked');
        if (!picked) return null;
        if (picked.value === OTHER) return other();
        return q.type === "scale" ? parseInt(picked.value, 10) : picked.value;
      }
      if (q.type === "multiple") {
        var all = Array.prototype.map.call(container.querySelectorAll('input[name="' + name + '"]:checked'), function (el) {
          return el.value === OTHER ? other() : el.value;
        });
        return all.length ? all : null;
      }
      if (q.type === "ranking") {
        var ranks = [];
        container.querySelectorAll('[id^="' + prefix + "-rank-" + q.key + '-"]').forEach(function (sel) {
          if (sel.value) ranks.push({code: sel.dataset.code, rank: parseInt(sel.value, 10)});
        });
        ranks.sort(function (a, b) { return a.rank - b.rank; });
        for (var i = 1; i < ranks.length; i++) {
          if (ranks[i].rank === ranks[i - 1].rank) throw new Error("“" + q.title + "”：两项不能排在同一位");
        }
        return ranks.length ? ranks.map(function (r) { return r.code; }) : null;
      }
      var text = document.getElementById(qid(prefix + "-text", q.key)).value.trim();
      return text || null;
    }
    function visible(container, questions, prefix) {
      var shown = {}, answers = {};
      questions.forEach(function (q) {
        var c = q.show_if, on = true;
        if (c) {
          var given = shown[c.question] ? answers[c.question] : null;
          on = given === c.equals || (Array.isArray(given) && given.indexOf(c.equals) >= 0);
        }
        shown[q.key] = on;
        if (on) { try { answers[q.key] = value(container, q, prefix); } catch (e) { answers[q.key] = null; } }
      });
      return shown;
    }
    function showIf(container, questions, prefix) {
      var shown = visible(container, questions, prefix);
      questions.forEach(function (q) { document.getElementById(qid(prefix + "-q", q.key)).hidden = !shown[q.key]; });
    }
    function collect(container, questions, prefix) {
      var shown = visible(container, questions, prefix), answers = {};
      questions.forEach(function (q) {
        if (!shown[q.key]) return;
        var v = value(container, q, prefix);
        if (v !== null) answers[q.key] = v;
      });
      return answers;
    }
    function clear(container) {
      container.querySelectorAll(".field-error").forEach(function (p) { p.hidden = true; p.textContent = ""; });
      container.querySelectorAll(".question.invalid").forEach(function (f) { f.classList.remove("invalid"); });
    }
    /* A 422 keyed by question: each message next to its question; true when there were some. */
    function showErrors(container, e, prefix) {
      var by = e.data && e.data.errors && e.data.errors.json && e.data.errors.json.answers;
      if (!by) return false;
      var first = null;
      Object.keys(by).forEach(function (key) {
        var p = document.getElementById(qid(prefix + "-err", key));
        if (!p) return;
        p.textContent = by[key].join("；"); p.hidden = false;
        p.parentElement.classList.add("invalid");
        first = first || p.parentElement;
      });
      if (first) first.scrollIntoView({block: "center"});
      return !!first;
    }
    return {render: render, collect: collect, showErrors: showErrors, clear: clear};
  })();

  pages.survey = async function () {
    if (!requireSignIn()) return;
    var id = Number(body.dataset.survey), s;
    function nothing(text, bind) {
      $("#survey-nothing-text").textContent = text;
      var link = $("#survey-bind");
      link.hidden = !bind;
      link.href = bindLink(new URLSearchParams(location.search).get("compound"), location.pathname + location.search);
      $("#survey-nothing").hidden = false;
    }
    try { s = (await api("GET", "/api/v1/surveys/" + id)).data; } catch (e) {
      if (e.status === 404) nothing("您绑定的房屋不在这份问卷的范围内，或您还没有绑定房屋。", true);
      else showError(e.message);
      return;
    }
    $("#survey-title").textContent = s.title;
    document.title = s.title + " · 共建";
    $("#survey-window").textContent = s.status_name + "，" + when(s.opens_at) + " 至 " + when(s.closes_at) + "（" + s.audience_name + "）";
    $("#survey-description").innerHTML = (s.description || "").split("\n").map(function (p) {
      return p.trim() ? "<p>" + esc(p) + "</p>" : "";
    }).join("");
    var open = (s.mine || []).filter(function (u) { return !u.answered; });
    if (s.status !== "open") { nothing("这份问卷现在不能填写（" + s.status_name + "）。"); return; }
    if (!open.length) { nothing("您家已经填写过这份问卷，谢谢参与。"); return; }
    $("#survey-units").innerHTML = open.map(function (u, i) {
      return '<label class="option"><input type="radio" name="survey-unit" value="' + u.unit_id + '"' + (i ? "" : " checked") + "> " + esc(u.label) + "</label>";
    }).join("");
    $("#survey-unit-card").hidden = open.length < 2;
    $("#survey-anonymous").hidden = !s.anonymous;
    var box = $("#questions");
    surveyForm.render(box, s.questions, "sv");
    $("#survey-form").hidden = false;
    var button = $("#submit-survey");
    $("#survey-form").addEventListener("submit", async function (ev) {
      ev.preventDefault();
      clearError(); surveyForm.clear(box); busy(button, true);
      try {
        var unit = Number(document.querySelector('input[name="survey-unit"]:checked').value);
        await api("POST", "/api/v1/surveys/" + id + "/responses", {unit_id: unit, answers: surveyForm.collect(box, s.questions, "sv")});
        $("#survey-form").hidden = true; $("#survey-done").hidden = false;
        window.scrollTo(0, 0);
      } catch (e) {
        showError(e.message, button);
        if (e.status === 422) surveyForm.showErrors(box, e, "sv");  // each complaint beside its question
      } finally { busy(button, false); }
    });
  };
  pages.survey.form = surveyForm;

  homeParts.push(async function () {
    var list = (await api("GET", "/api/v1/my/surveys")).data.filter(function (s) { return s.status === "open"; });
    if (!list.length) return;
    $("#home-surveys").innerHTML = '<section class="card" id="surveys-card"><h2>问卷</h2>' + list.map(function (s) {
      var waiting = (s.mine || []).some(function (u) { return !u.answered; });
      return '<div class="row"><strong>' + esc(s.title) + "</strong><br>" + esc(s.status_name) + "，截止 " + esc(when(s.closes_at)) +
        (waiting ? '<a class="button primary" href="/m/survey/' + s.id + '">去填写</a>' : '<br><span class="status approved">已填写</span>') + "</div>";
    }).join("") + "</section>";
  });

  /* ---- co-funding (funds/campaigns) ---- */
  // campaigns: resident pages and the home card go here
  /* Figures and names are the API's; amounts typed in yuan become fen through fen() only. */
  function campaignFigures(c) {
    return "<p>居民出资合计 <strong>" + esc(yuan(c.residents_part_fen)) + "</strong>（总费用 " +
      esc(yuan(c.total_cost_fen)) + "，补助 " + esc(yuan(c.subsidies_fen)) + "）</p><p>已认捐 " +
      esc(yuan(c.pledged_fen)) + "，已缴 " + esc(yuan(c.paid_fen)) + "，尚缺 <strong>" + esc(yuan(c.gap_fen)) +
      "</strong></p><p>" + c.households_pledged + " / " + c.households + " 户已认捐，" + c.households_paid + " 户已缴清</p>";
  }
  var yuanInput = yuanText;  // the share as the amount field's starting text
  function shareCard(c, s) {
    var open = s.may_pledge;
    var id = "pledge-" + s.unit_id;
    return '<div class="row" data-unit="' + s.unit_id + '"><strong>' + esc(s.label) + "</strong><br>本户份额 " +
      '<span class="figure share">' + esc(yuan(s.share_fen)) + "</span><br>" + statusSpan(s.status, s.status_name) +
      (s.pledged_fen ? "，认捐 " + esc(yuan(s.pledged_fen)) + "，已缴 " + esc(yuan(s.paid_fen)) : "") +
      (s.status === "none" && !s.may_pledge ? "<br>只有绑定为业主的居民才能认捐。" : "") +
      '<p class="explanation">计算方法：' + esc(s.how) + "（" + esc(c.rule_name) + "）</p>" +
      (open ? '<label for="' + id + '">认捐金额（元）</label><input id="' + id + '" class="pledge-amount" type="text" ' +
        'inputmode="decimal" value="' + esc(yuanInput(s.share_fen)) + '">' +
        '<button type="button" class="button primary pledge" data-unit="' + s.unit_id + '">认捐</button>' : "") + "</div>";
  }
  async function showCampaign(id) {
    var c = (await api("GET", "/api/v1/campaigns/" + id)).data;
    document.title = c.title + " · 共建";
    $("#c-title").textContent = c.title;
    $("#c-scope").textContent = c.scope_text + " · " + c.status_name;
    $("#c-description").textContent = c.description;
    $("#c-figures").innerHTML = campaignFigures(c);
    $("#c-mine").innerHTML = c.mine.length ? c.mine.map(function (s) { return shareCard(c, s); }).join("") :
      "<p>您绑定的房屋不在本次出资范围内。</p>";
    $("#c-bind").href = "/m/bind?compound=" + c.compound_id + "&next=" + encodeURIComponent("/m/campaign/" + id);
    Array.prototype.forEach.call(document.querySelectorAll("button.pledge"), function (b) {
      b.addEventListener("click", guard(b, async function () {
        var unit = b.dataset.unit, amount = fen($("#pledge-" + unit).value);
        if (amount === null || amount <= 0) throw new Error("请填写认捐金额，以元为单位，最多两位小数，如 1234.50");
        await api("POST", "/api/v1/my/pledges", {campaign_id: Number(id), unit_id: Number(unit), amount_fen: amount});
        await showCampaign(id);
        $("#c-done").textContent = "认捐成功：" + yuan(amount) + "。请按居委会通知缴款。";
        $("#c-done").hidden = false;
      }));
    });
  }
  pages.campaign = async function () {
    if (!requireSignIn()) return;
    try { await showCampaign(body.dataset.campaign); } catch (e) {
      $("#c-mine").innerHTML = "<p>" + esc(e.status === 404 ? "找不到该出资项目：可能尚未发布，或您还没有绑定该小区的房屋。" : e.message) + "</p>";
    }
  };
  homeParts.push(async function () {
    var rows = (await api("GET", "/api/v1/my/pledges")).data;
    if (!rows.length) return;
    $("#home-campaigns").innerHTML = '<section class="card"><h2>居民出资</h2>' + rows.map(function (r) {
      return '<div class="row"><strong>' + esc(r.campaign_title) + "</strong><br>" + esc(r.label) + "：份额 " +
        esc(yuan(r.share_fen)) + "，" + statusSpan(r.status, r.status_name) +
        (r.pledged_fen ? "<br>认捐 " + esc(yuan(r.pledged_fen)) + "，已缴 " + esc(yuan(r.paid_fen)) : "") +
        (r.payments.length ? '<ul class="plain payments">' + r.payments.map(function (p) {
          return "<li>" + esc(p.paid_on_text) + " " + esc(p.kind_name) + " " + esc(yuan(p.signed_fen)) +
            (p.method_name ? "（" + esc(p.method_name) + "）" : p.reason ? "（" + esc(p.reason) + "）" : "") + "</li>";
        }).join("") + "</ul>" : "") +
        '<a class="button' + (r.status === "none" ? " primary" : "") + '" href="/m/campaign/' + r.campaign_id + '">' +
        (r.status === "none" ? "查看并认捐" : "查看详情") + "</a></div>";
    }).join("") + "</section>";
  });

  /* ---- maintenance fund (funds/ledger) ---- */
  // ledger: resident pages and the home card go here
  /* Every figure, status and flag is the API's (/api/v1/my/fund); nothing is computed here. */
  function fundFigures(a) {
    return "<p>应缴 " + esc(yuan(a.due_fen)) + "，已缴 " + esc(yuan(a.paid_fen)) + "，欠缴 " + esc(yuan(a.outstanding_fen)) +
      "<br>已使用 " + esc(yuan(a.used_fen)) + "，余额 <strong>" + esc(yuan(a.balance_fen)) + "</strong></p>" +
      '<p><span class="tag">' + esc(a.status_name) + "</span>" +
      (a.top_up ? ' <span class="warn">余额已低于首次缴存额的 30%，需续筹</span>' : "") + "</p>";
  }
  function fundEntries(entries) {
    if (!entries.length) return "<p>还没有缴存或使用记录。</p>";
    return '<ul class="plain">' + entries.map(function (e) {
      return "<li>" + esc(e.date_text) + " " + esc(e.kind_name) + " " + esc(yuan(e.amount_fen)) +
        (e.title ? "（" + esc(e.title) + "）" : e.reason ? "（" + esc(e.reason) + "）" : "") + "</li>";
    }).join("") + "</ul>";
  }
  homeParts.push(async function () {
    var slot = $("#home-fund");
    if (!slot) return;
    var accounts = (await api("GET", "/api/v1/my/fund")).data;
    if (!accounts.length) return;  // no flat bound: no account to show
    slot.innerHTML = '<section class="card" id="fund-card"><h2>维修资金</h2>' + accounts.map(function (a) {
      return '<div class="row"><strong>' + esc(a.compound_name + " " + a.label) + "</strong>" + fundFigures(a) +
        fundEntries(a.entries.slice(0, 3)) + "</div>";
    }).join("") + '<a class="button" href="/m/fund">维修资金明细</a></section>';
  });
  pages.fund_my = async function () {
    if (!requireSignIn()) return;
    try {
      var accounts = (await api("GET", "/api/v1/my/fund")).data;
      $("#fund-accounts").innerHTML = accounts.length ? accounts.map(function (a) {
        return '<section class="card"><h2>' + esc(a.compound_name + " " + a.label) + "</h2><p>面积 " + esc(a.area) +
          " 平方米，首次缴存额 " + esc(yuan(a.first_deposit_fen)) + "</p>" + fundFigures(a) + "<h3>明细</h3>" +
          fundEntries(a.entries) + "</section>";
      }).join("") : '<p>您还没有绑定房屋。</p><a class="button primary" href="' +
        esc(bindLink(body.dataset.compound, "/m/fund")) + '">绑定房屋</a>';
    } catch (e) { $("#fund-accounts").innerHTML = ""; showError(e.message); }
  };

  /* ---- proxy ---- */
  pages.proxy = async function () {
    if (!requireSignIn()) return;
    var select = $("#proxy-compound");
    var compounds = [];
    try { compounds = (await api("GET", "/api/v1/compounds")).data; } catch (e) { /* none bound yet */ }
    var wanted = body.dataset.compound;
    if (wanted && !compounds.some(function (c) { return String(c.id) === wanted; })) {
      compounds.unshift({id: Number(wanted), name: "扫码进入的小区"});
    }
    select.innerHTML = compounds.map(function (c) {
      return '<option value="' + c.id + '">' + esc(c.name) + "</option>";
    }).join("") || '<option value="">请先扫描小区公告栏上的二维码</option>';
    on("proxy-submit", async function () {
      var form = new FormData();
      form.append("compound_id", select.value);
      ["building", "entrance", "room", "owner-name", "proxy-name"].forEach(function (id) {
        form.append(id.replace("-", "_"), val(id));
      });
      var file = $("#photo").files[0];
      if (!file) throw new Error("请拍照上传签字的委托书");
      form.append("photo", file);
      await api("POST", "/api/v1/my/proxies", form);
      document.querySelector("main").innerHTML = '<h1>已提交</h1><p class="ok">居委会核对委托书后，您就可以为这户投票。' +
        '审核结果在“我的小区”里显示。</p><a class="button primary" href="/m/home">回到我的小区</a>';
    });
  };

  /* ---- ballot: choose → confirm → receipt ---- */
  pages.vote = async function () {
    if (!requireSignIn()) return;
    var voteId = Number(body.dataset.vote);
    var vote;
    try {
      var mine = (await api("GET", "/api/v1/my/votes")).data;
      vote = mine.filter(function (v) { return v.id === voteId; })[0];
    } catch (e) { showError(e.message); return; }
    if (!vote) {
      $("#nothing-text").textContent = "您绑定的房屋不在这次表决的范围内，或您还没有以业主（或委托人）身份绑定房屋。";
      $("#nothing").hidden = false;
      $("#nothing-bind").href = bindLink(body.dataset.compound, location.pathname + location.search);
      return;
    }
    $("#vote-title").textContent = vote.title;
    $("#vote-window").textContent = vote.status_name + "，" + when(vote.opens_at) + " 至 " + when(vote.closes_at);
    $("#vote-description").innerHTML = (vote.description || "").split("\n").map(function (p) {
      return p.trim() ? "<p>" + esc(p) + "</p>" : "";
    }).join("");
    var open = (vote.units || []).filter(function (u) { return !u.voted; });
    var done = (vote.units || []).filter(function (u) { return u.voted; });
    if (done.length) {
      $("#receipts").innerHTML = receiptList(done);
    }
    if (vote.status !== "open" || !open.length) {
      $("#nothing-text").textContent = vote.status !== "open" ? "这次表决现在不能投票（" + vote.status_name + "）。" :
        "您的房屋都已投票，谢谢参与。";
      $("#nothing-bind").hidden = true;
      $("#nothing").hidden = false;
      if (done.length) $("#done").hidden = false;
      return;
    }
    $("#choose").hidden = false;
    $("#items").innerHTML = vote.items.map(function (item, i) {
      return '<fieldset class="card item"><legend><h2>' + (i + 1) + ". " + esc(item.title) + "</h2></legend>" +
        item.options.map(function (o) {
          return '<label class="option"><input type="radio" name="item-' + item.id + '" value="' + esc(o) + '"> ' +
            esc(item.option_labels[o]) + "</label>";
        }).join("") + "</fieldset>";
    }).join("");
    $("#units").innerHTML = open.map(function (u) {
      return '<label class="check option"><input type="checkbox" name="unit" value="' + u.unit_id + '" checked> ' +
        esc(u.label) + "</label>";
    }).join("") + (open.length > 1 ? "<p>同一业主的几套房，选择须一致。</p>" : "");
    var choices, units;
    on("to-confirm", async function () {
      choices = {};
      vote.items.forEach(function (item) {
        var picked = document.querySelector('input[name="item-' + item.id + '"]:checked');
        if (!picked) throw new Error("请为“" + item.title + "”选择一项");
        choices[item.id] = picked.value;
      });
      units = Array.prototype.map.call(document.querySelectorAll('input[name="unit"]:checked'), function (el) {
        return open.filter(function (u) { return String(u.unit_id) === el.value; })[0];
      });
      if (!units.length) throw new Error("请至少选择一套房屋");
      $("#summary").innerHTML = "<ul>" + vote.items.map(function (item) {
        return "<li>" + esc(item.title) + "：<strong>" + esc(item.option_labels[choices[item.id]]) + "</strong></li>";
      }).join("") + "</ul><p>房屋：" + units.map(function (u) { return esc(u.label); }).join("、") + "</p>";
      $("#choose").hidden = true; $("#confirm").hidden = false;
      window.scrollTo(0, 0);
    });
    on("back", async function () { $("#confirm").hidden = true; $("#choose").hidden = false; });
    on("submit-ballot", async function () {
      var receipts = [];
      var failures = [];
      for (var i = 0; i < units.length; i++) {
        try {
          var r = await api("POST", "/api/v1/votes/" + voteId + "/ballots", {unit_id: units[i].unit_id, choices: choices});
          receipts.push({label: units[i].label, receipt: r.data.receipt});
        } catch (e) { failures.push(units[i].label + "：" + e.message); }
      }
      $("#confirm").hidden = true;
      if (receipts.length) { $("#receipts").innerHTML = receiptList(receipts.concat(done)); $("#done").hidden = false; }
      if (failures.length) showError(failures.join("；"));
    });
  };
  function receiptList(units) {
    return units.map(function (u) {
      return '<p>' + esc(u.label) + '<br><span class="receipt">' + esc(u.receipt || "已投票") + "</span></p>";
    }).join("");
  }

  /* ---- published result ---- */
  pages.results = async function () {
    if (!requireSignIn()) return;
    var voteId = Number(body.dataset.vote);
    try {
      var r = (await api("GET", "/api/v1/votes/" + voteId + "/result")).data;
      if (r.title) $("#result-title").textContent = r.title + " 结果";
      var e = r.electorate || {};
      var head = e.owners ? "<p>应参与表决业主 " + esc(e.owners) + " 人（" + esc(e.units) + " 户），总面积 " + esc(e.area) + " 平方米。</p>" : "";
      $("#result").innerHTML = head + (r.items || []).map(function (item) {
        var passed = item.passed === true ? "通过" : item.passed === false ? "未通过" : "意见征询（不作决定）";
        var p = item.participation || {};
        var rows = (item.option_order || []).map(function (o) {
          var s = item.options[o];
          return "<tr><td>" + esc(s.label) + "</td><td>" + esc(s.owners) + "人</td><td>" + esc(s.area) + "㎡</td></tr>";
        }).join("");
        return '<section class="card"><h2>' + esc(item.title || "") + '</h2><p class="status ' +
          (item.passed ? "approved" : "rejected") + '">' + passed + "</p>" +
          (p.owners !== undefined ? "<p>参与表决 " + esc(p.owners) + " 人，" + esc(p.area) + " 平方米。</p>" : "") +
          (rows ? "<table><tr><th>选项</th><th>人数</th><th>面积</th></tr>" + rows + "</table>" : "") +
          (item.explanation ? "<p>" + esc(item.explanation) + "</p>" : "") + "</section>";
      }).join("") + ((r.warnings || []).length ? '<p class="warn">' + r.warnings.map(function (w) {
        return esc(typeof w === "string" ? w : (w.message || w.code));
      }).join("<br>") + "</p>" : "");
      var receipts = {};
      (r.units || []).forEach(function (u) { if (u.receipt) receipts[u.receipt] = true; });
      var mine = (await api("GET", "/api/v1/my/votes")).data.filter(function (v) { return v.id === voteId; })[0];
      var own = mine ? mine.units.filter(function (u) { return u.receipt; }) : [];
      if (own.length) {
        $("#result").insertAdjacentHTML("beforeend", '<section class="card"><h2>核对我的票</h2>' + own.map(function (u) {
          return "<p>" + esc(u.label) + ' <span class="receipt">' + esc(u.receipt) + "</span> " +
            (receipts[u.receipt] ? '<span class="status approved">已计入</span>' : '<span class="status rejected">未在名单中，请联系居委会</span>') + "</p>";
        }).join("") + "</section>");
      }
    } catch (err) {
      $("#result").innerHTML = "<p>" + esc(err.status === 404 || err.status === 409 ? "结果尚未公布，请耐心等待。" : err.message) + "</p>";
    }
  };

  /* ---- committee pages: staff sign-in, API calls with the staff token, downloads ---- */
  async function staffApi(method, path, payload) {
    return (await api(method, path, payload, {staff: true})).data;
  }
  // Files behind the staff token: fetched, then handed to the browser as a download under their Chinese name.
  async function download(path, name) {
    var r = await api("GET", path, undefined, {staff: true, raw: true});
    var a = document.createElement("a");
    a.href = URL.createObjectURL(await r.blob());
    a.download = name;
    document.body.appendChild(a); a.click(); a.remove();
    setTimeout(function () { URL.revokeObjectURL(a.href); }, 10000);
  }
  /* The sign-in card (#staff-login) until a staff token is in this tab, then the page's #desk and start(). */
  /* The signed-in staff member's role, read from the token's claims (display only: the API decides). */
  function staffRole() {
    try { return JSON.parse(atob(staffAuth.get().split(".")[1].replace(/-/g, "+").replace(/_/g, "/"))).role; } catch (e) { return null; }
  }
  function staffDesk(start) {
    async function enter() {
      $("#staff-login").hidden = true;
      $("#desk").hidden = false;
      if (staffRole() === "provider") {  // a property company's account has the fee desk only
        document.querySelectorAll(".desk-top nav a").forEach(function (a) { a.hidden = a.getAttribute("href") !== "/m/committee/fees"; });
      }
      await start();
    }
    on("login", async function () {
      var r = await api("POST", "/api/v1/auth/login", {username: val("username"), password: val("password")},
        {anonymous: true});
      staffAuth.save(r.data);
      await enter();
    });
    $("#password").addEventListener("keydown", function (ev) { if (ev.key === "Enter") $("#login").click(); });
    on("staff-signout", async function () {
      await signOut(staffAuth, {staff: true});
      location.reload();
    });
    if (staffAuth.get()) enter().catch(function (e) { showError(e.message); });
    else { $("#staff-login").hidden = false; $("#username").focus(); }
  }

  window.Gongjian = {api: api, auth: auth, esc: esc, on: on, guard: guard, val: val, showError: showError, clearError: clearError,
    when: when, beijingIso: beijingIso, beijingInput: beijingInput, store: store, pages: pages, staffAuth: staffAuth, staffApi: staffApi,
    download: download, staffDesk: staffDesk, fen: fen, yuan: yuan, yuanText: yuanText};
  if (pages[body.dataset.page]) pages[body.dataset.page]();
})();
