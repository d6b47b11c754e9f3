/* The committee's vote desk (/m/committee/votes…): list, create and publish, key in paper sheets, chase
   participation, close, tally, announce. Built on m.js (Gongjian): its staff sign-in, API calls and downloads.
   Every refusal shown is the API's Chinese message. */
(function () {
  "use strict";
  var G = window.Gongjian, esc = G.esc, on = G.on, val = G.val, call = G.staffApi;
  var $ = function (s) { return document.querySelector(s); };
  var body = document.body;
  var voteId = Number(body.dataset.vote);
  var COMPOUND = "gj-compound";  // the compound last chosen, so every page of the desk opens on it
  // Field names in a 422's "errors", for the few checks the server makes that the page does not make first.
  var FIELDS = {title: "标题", opens_at: "开始时间", closes_at: "结束时间", items: "表决事项", options: "选项",
    evidence: "委托书凭证", proxy_name: "代投人姓名", sheet_no: "选票编号", room: "房号", building: "楼栋",
    entrance: "单元", choices: "选项", scope: "表决范围"};

  function fail(message) { throw new Error(message); }
  /* A 422's messages, flattened and named in Chinese: "结束时间：结束时间必须在将来". */
  function explainInvalid(e) {
    var found = [];
    (function walk(node, name) {
      if (Array.isArray(node) && node.every(function (m) { return typeof m === "string"; })) {
        node.forEach(function (m) { found.push((FIELDS[name] ? FIELDS[name] + "：" : "") + (/[\u4e00-\u9fff]/.test(m) ? m : "请填写")); });
      } else if (node && typeof node === "object") {
        Object.keys(node).forEach(function (k) { walk(node[k], /^\d+$/.test(k) || k === "json" ? name : k); });
      }
    })(e.data && e.data.errors, "");
    return found.length ? new Error(e.message + "：" + found.join("；")) : e;
  }
  async function send(method, path, payload) {
    try { return await call(method, path, payload); } catch (e) { throw e.status === 422 ? explainInvalid(e) : e; }
  }

  /* Display only: the API's ratio (already rounded) as a percent. */
  function pct(r) { return (Math.round(r * 1000) / 10) + "%"; }
  function electorateText(e) {
    return "共 " + e.units + " 户、" + e.owners + " 位业主（同一业主多套房算一人）、" + e.area + " 平方米";
  }
  function participationText(p, e) {
    if (!p) return "";
    return "已参与 " + p.owners + " 人（" + pct(p.owners_ratio) + "）、" + p.area + " 平方米（" + pct(p.area_ratio) + "）" +
      (e ? "，应参与 " + e.owners + " 人、" + e.area + " 平方米" : "");
  }
  function warningsHtml(warnings) {
    return (warnings || []).map(function (w) { return '<p class="notice-warn">⚠ ' + esc(w) + "</p>"; }).join("");
  }
  function backTo(vid) { var a = $("#back-link"); if (a) a.href = "/m/committee/votes/" + vid; }
  async function loadVote() {
    var v = await call("GET", "/api/v1/votes/" + voteId);
    document.title = v.title + " · 共建";
    if ($("#v-title")) $("#v-title").textContent = v.title;
    backTo(v.id);
    return v;
  }

  /* ---- list ---- */
  async function compounds() {
    var list = await call("GET", "/api/v1/compounds?per_page=500");
    if (!list.length) fail("您的账号下没有小区，请联系管理员");
    return list;
  }
  async function showVotes(cid) {
    sessionStorage.setItem(COMPOUND, cid);
    $("#new-vote").href = "/m/committee/votes/new?compound=" + cid;
    var votes = await call("GET", "/api/v1/compounds/" + cid + "/votes?per_page=100");
    $("#votes").innerHTML = votes.length ? '<table class="list stack"><thead><tr><th>表决</th><th>范围</th><th>状态</th>' +
      "<th>投票时间</th><th>参与情况</th></tr></thead><tbody>" + votes.map(function (v) {
        return '<tr><td data-label="表决"><a href="/m/committee/votes/' + v.id + '">' + esc(v.title) + '</a></td><td data-label="范围">' +
          esc(v.scope_text) + '</td><td data-label="状态"><span class="tag">' + esc(v.status_name) + '</span></td><td data-label="投票时间">' +
          esc(G.when(v.opens_at)) + " 至<br>" + esc(G.when(v.closes_at)) + '</td><td data-label="参与情况">' + (v.participation ? esc(participationText(v.participation)) +
          (v.participation.met ? '<br><span class="pass">已达三分之二</span>' : "") : "未发布") + "</td></tr>";
      }).join("") + "</tbody></table>" : '<p class="card">这个小区还没有表决。点“新建表决”开始。</p>';
  }
  G.pages.votes_list = function () {
    G.staffDesk(async function () {
      await pickCompound(showVotes);
    });
  };

  /* ---- create ---- */
  /* "YYYY-MM-DDTHH:MM" for a datetime-local box: ``days`` after ``from`` (a Date), at Beijing's ``hhmm``. */
  function beijingDay(from, days, hhmm) {
    return G.beijingInput(new Date(from.getTime() + days * 86400000)).slice(0, 10) + "T" + hhmm;
  }
  function addItem() {
    var n = document.querySelectorAll(".vote-item").length + 1;
    var node = $("#item-template").content.firstElementChild.cloneNode(true);
    node.querySelectorAll(".i-kind").forEach(function (r) { r.name = "kind-" + n + "-" + Date.now(); });
    var matter = node.querySelector(".i-matter");
    var showRule = function () { node.querySelector(".rule").textContent = matter.selectedOptions[0].dataset.rule + "。"; };
    matter.addEventListener("change", showRule); showRule();
    node.addEventListener("change", function (ev) {
      if (!ev.target.classList.contains("i-kind")) return;
      node.querySelector(".custom").hidden = ev.target.value !== "custom";
      if (ev.target.value === "models") matter.value = "property_manager", showRule();
    });
    node.querySelector(".remove-item").addEventListener("click", function () {
      if (document.querySelectorAll(".vote-item").length > 1) { node.remove(); numberItems(); }
    });
    $("#items").appendChild(node);
    numberItems();
  }
  function numberItems() {
    document.querySelectorAll(".vote-item").forEach(function (el, i) {
      el.querySelector(".item-no").textContent = i + 1;
      el.querySelector(".remove-item").hidden = i === 0 && document.querySelectorAll(".vote-item").length === 1;
    });
  }
  function itemData(el, i) {
    var title = el.querySelector(".i-title").value.trim();
    if (!title) fail("请填写第 " + (i + 1) + " 项表决事项的内容");
    var data = {title: title, matter: el.querySelector(".i-matter").value};
    var kind = el.querySelector(".i-kind:checked");
    if (kind.dataset.options) data.options = JSON.parse(kind.dataset.options);  // the page's ready-made lists
    if (kind.value === "custom") {  // typed names: the server knows the built-in ones ("弃权" is abstaining)
      data.options = el.querySelector(".i-options").value.split("\n").map(function (s) { return s.trim(); }).filter(Boolean);
      if (data.options.length < 2) fail("第 " + (i + 1) + " 项：请至少填写两个选项，每行一个");
    }
    return data;
  }
  G.pages.votes_new = function () {
    var cid = new URLSearchParams(location.search).get("compound") || sessionStorage.getItem(COMPOUND);
    var buildings = [];
    function scopeKind() { return document.querySelector('input[name="scope"]:checked').value; }
    function fillEntrances() {
      var b = buildings.filter(function (x) { return x.building === val("v-building"); })[0];
      $("#v-entrance").innerHTML = (b ? b.entrances : []).map(function (e) {
        return '<option value="' + esc(e.entrance) + '">' + esc(e.label) + "（" + e.units + " 户）</option>";
      }).join("");
    }
    function showScope() {
      var kind = scopeKind();
      $("#scope-pick").hidden = kind === "compound";
      $("#entrance-pick").hidden = kind !== "entrance";
      var b = buildings.filter(function (x) { return x.building === val("v-building"); })[0];
      var e = b && b.entrances.filter(function (x) { return x.entrance === val("v-entrance"); })[0];
      var total = buildings.reduce(function (s, x) { return s + x.units; }, 0);
      var units = kind === "compound" ? total : kind === "building" ? b && b.units : e && e.units;
      $("#scope-size").textContent = units ? "范围内共 " + units + " 户（发布时固定）。" : "";
    }
    G.staffDesk(async function () {
      if (!cid) cid = String((await compounds())[0].id);
      var compound = await call("GET", "/api/v1/compounds/" + cid);
      $("#compound-name").textContent = "小区：" + compound.name;
      buildings = await call("GET", "/api/v1/compounds/" + cid + "/buildings");
      $("#v-building").innerHTML = buildings.map(function (b) {
        return '<option value="' + esc(b.building) + '">' + esc(b.label) + "（" + b.units + " 户）</option>";
      }).join("");
      fillEntrances(); showScope();
      document.querySelectorAll('input[name="scope"]').forEach(function (r) { r.addEventListener("change", showScope); });
      $("#v-building").addEventListener("change", function () { fillEntrances(); showScope(); });
      $("#v-entrance").addEventListener("change", showScope);
      var lead = compound.notice_lead_days || 15;
      var opens = beijingDay(new Date(), lead, "08:00");  // the compound's notice lead, in Beijing days
      $("#v-opens").value = opens;
      $("#v-closes").value = beijingDay(new Date(G.beijingIso(opens)), 14, "18:00");
      ["v-opens", "v-closes"].forEach(function (id) {
        var echo = function () { $("#" + id + "-text").textContent = val(id) ? G.when(val(id)) : ""; };
        $("#" + id).addEventListener("input", echo); echo();
      });
      $("#lead-note").textContent = "本小区要求提前 " + lead + " 天公告表决；开始时间早于此，发布时会提示风险并记录在结果上。";
      addItem();
    });
    on("add-item", async function () { addItem(); });
    on("create", async function () {
      var data = {title: val("v-title"), description: $("#v-description").value.trim(), scope: {},
        require_confirmation: $("#v-confirm").checked};
      if (!data.title) fail("请填写表决标题");
      if (scopeKind() !== "compound") data.scope.building = val("v-building");
      if (scopeKind() === "entrance") data.scope.entrance = val("v-entrance");
      if (!val("v-opens") || !val("v-closes")) fail("请填写投票的开始和结束时间");
      data.opens_at = G.beijingIso(val("v-opens"));  // typed as Beijing time, whatever the device's zone
      data.closes_at = G.beijingIso(val("v-closes"));
      data.items = Array.prototype.map.call(document.querySelectorAll(".vote-item"), itemData);
      var v = await send("POST", "/api/v1/compounds/" + cid + "/votes", data);
      location.href = "/m/committee/votes/" + v.id;
    });
  };

  /* ---- one vote: publish, close, tally, announce, downloads ---- */
  /* A table row whose cells carry their column's name, so on a phone each row stacks as label: value lines. */
  function cells(pairs) {
    return "<tr>" + pairs.map(function (p) { return '<td data-label="' + esc(p[0]) + '">' + p[1] + "</td>"; }).join("") + "</tr>";
  }
  function table(heads, rows) {
    return '<table class="list stack"><thead><tr>' + heads.map(function (h) { return "<th>" + esc(h) + "</th>"; }).join("") +
      "</tr></thead><tbody>" + rows.join("") + "</tbody></table>";
  }
  /* The ballot's choices as the API named them, item by item. */
  function choicesText(vote, b) {
    return vote.items.map(function (it) { return esc(b.choice_labels[it.id] || ""); }).join("／");
  }
  /* An item without a winner: the API's two leading options, and a form for the runoff vote's window. */
  function runoffHtml(item) {
    return '<form class="runoff" data-item="' + item.item_id + '" autocomplete="off"><h4>组织决选</h4><p>没有选项获得通过，可在得票最多的' +
      "两个选项之间再表决一次：" + item.runoff.map(function (o) { return "<strong>" + esc(item.options[o].label) + "</strong>"; }).join(" 与 ") +
      '。</p><div class="address"><div><label>开始<input type="datetime-local" class="r-opens"></label></div>' +
      '<div><label>结束<input type="datetime-local" class="r-closes"></label></div></div>' +
      '<button type="button" class="button primary r-create">组织决选（保存为草稿）</button><p class="r-done"></p></form>';
  }
  /* Each threshold the decision turns on, as the API worded and decided it. */
  function checksHtml(item) {
    return '<table class="checks stack"><thead><tr><th>条件</th><th>要求</th><th>实际</th><th>结果</th></tr></thead><tbody>' + item.checks.map(function (c) {
      return cells([["条件", esc(c.label)], ["要求", esc(c.rule)], ["实际", esc(c.value)], ["结果",
        (c.met ? '<span class="pass">✔ 达到</span>' : '<span class="fail">✘ 未达到</span>')]]);
    }).join("") + "</tbody></table>";
  }
  function tallyHtml(t, final) {
    return t.items.map(function (item, i) {
      var verdict = item.passed === null ? '<span class="tag">意见征询</span>' : !final ? '<span class="tag">统计中</span>' :
        item.passed ? '<span class="verdict pass">通过</span>' : '<span class="verdict fail">未通过</span>';
      var options = item.option_order.map(function (o) {  // the ballot's order (the JSON object's keys come sorted)
        var s = item.options[o];
        return cells([["选项", esc(s.label)], ["人数", s.owners + " 人（" + pct(s.owners_ratio) + "）"],
          ["面积", esc(s.area) + " ㎡（" + pct(s.area_ratio) + "）"]]);
      }).join("");
      return '<section class="card tally-item"><h3>' + (i + 1) + ". " + esc(item.title) + " " + verdict + "</h3>" +
        checksHtml(item) +
        '<table class="stack"><thead><tr><th>选项</th><th>人数（占参与人数）</th><th>面积（占参与面积）</th></tr></thead><tbody>' +
        options + "</tbody></table>" + '<p class="explanation">' + esc(item.explanation) + "</p>" +
        (final && item.runoff ? runoffHtml(item) : "") + "</section>";
    }).join("");
  }
  async function showVote() {
    var v = await loadVote();
    $("#v-status").textContent = v.status_name;
    $("#v-scope").textContent = v.compound.name + " · " + v.scope_text;
    $("#v-window").textContent = "投票时间：" + G.when(v.opens_at) + " 至 " + G.when(v.closes_at);
    $("#v-warnings").innerHTML = warningsHtml(v.warnings);
    $("#v-items").innerHTML = v.items.map(function (it) {
      return "<li>" + esc(it.title) + "（选项：" + it.options.map(function (o) { return esc(it.option_labels[o]); }).join("、") + "）</li>";
    }).join("");
    if (v.electorate) {
      $("#electorate-card").hidden = false;
      $("#v-electorate").textContent = electorateText(v.electorate);
    }
    var step = v.status === "scheduled" ? "open" : v.status;
    ["draft", "open", "closed", "announced"].forEach(function (s) { $("#step-" + s).hidden = s !== step; });
    $("#actions h2").textContent = step === "announced" ? "结果公告与下载" : "下一步";
    $("#paper-link").href = "/m/committee/votes/" + v.id + "/paper";
    $("#chasing-link").href = "/m/committee/votes/" + v.id + "/chasing";
    if (v.status === "announced") {
      $("#publicity").textContent = "已于 " + G.when(v.announced_at) + " 公告，公示至 " + G.when(v.publicity_until) + "。";
    }
    $("#tally-card").hidden = v.status === "draft";
    if (v.status !== "draft") {
      var final = v.status === "closed" || v.status === "announced";
      $("#tally-heading").textContent = final ? "统计结果" : "当前统计（投票尚未结束，仅供参考）";
      $("#tally").innerHTML = tallyHtml(await call("GET", "/api/v1/votes/" + voteId + "/tally"), final);
      var waiting = v.counts ? v.counts.pending_confirmation : 0;
      $("#tally-pending").hidden = !waiting;
      $("#tally-pending").textContent = "还有 " + waiting + " 张纸质选票待复核，复核确认后才计入统计。";
      // Once voting is over the figures come first: they are what the committee checks before announcing.
      if (final) $("#actions").before($("#tally-card"));
      await showPaperWork(v);
    }
    return v;
  }
  /* Paper ballots awaiting a second person, every standing ballot (更正), and the sheets issued against returned. */
  async function showPaperWork(v) {
    var list = await call("GET", "/api/v1/votes/" + voteId + "/ballots?per_page=500");
    var pending = list.filter(function (b) { return !b.confirmed_at; });
    $("#pending-card").hidden = !v.require_confirmation && !pending.length;
    $("#pending-count").textContent = pending.length;
    $("#pending").innerHTML = pending.length ? table(["房屋", "选票编号", "选择", "录入人", "复核"], pending.map(function (b) {
      return cells([["房屋", esc(b.label)], ["选票编号", esc(b.sheet_no || "—")], ["选择", choicesText(v, b)],
        ["录入人", esc(b.entered_by)], ["复核", '<button type="button" class="button narrow confirm" data-ballot="' + b.id + '">确认</button>']]);
    })) : '<p class="pass">没有待复核的选票</p>';
    $("#ballots-card").hidden = !list.length;
    $("#ballots").innerHTML = table(["房屋", "方式", "选票编号", "选择", "录入人", "操作"], list.map(function (b) {
      return cells([["房屋", esc(b.label)], ["方式", esc(b.channel_name)], ["选票编号", esc(b.sheet_no || "—")],
        ["选择", choicesText(v, b) + (b.correction_reason ? '<br><span class="hint">已更正：' + esc(b.correction_reason) + "</span>" : "")],
        ["录入人", esc(b.entered_by)],
        ["操作", '<button type="button" class="button quiet narrow correct" data-ballot="' + b.id + '">更正</button>']]);
    }));
    ballotsShown = list;
    await showSheets();
  }
  async function showSheets(r) {
    r = r || await call("GET", "/api/v1/votes/" + voteId + "/sheets");
    $("#sheets-card").hidden = !r.issued && !r.not_issued.length;
    var nos = function (list) { return list.length ? list.map(esc).join("、") : "无"; };
    $("#sheets").innerHTML = table(["项目", "张数", "编号"], [
      cells([["项目", "已发放"], ["张数", String(r.issued)], ["编号", ""]]),
      cells([["项目", "已交回录入"], ["张数", String(r.returned)], ["编号", ""]]),
      cells([["项目", "作废"], ["张数", String(r.void)], ["编号", r.voided.map(function (x) {
        return esc(x.sheet_no) + "（" + esc(x.reason) + "）"; }).join("、") || "无"]]),
      cells([["项目", "未交回"], ["张数", '<strong class="short">' + r.outstanding.length + "</strong>"], ["编号", nos(r.outstanding)]]),
      cells([["项目", "未登记发放却已录入"], ["张数", String(r.not_issued.length)], ["编号", nos(r.not_issued)]])]);
  }
  var ballotsShown = [], correcting = null;
  function openCorrection(v, b) {
    correcting = b;
    $("#correct-label").textContent = b.label + (b.sheet_no ? "（选票 " + b.sheet_no + "）" : "");
    $("#correct-choices").innerHTML = choiceInputs(v, "k-");
    v.items.forEach(function (it) {
      var pick = document.querySelector('#correct-choices input[name="k-' + it.id + '"][value="' + (b.choices[it.id] || "") + '"]');
      if (pick) pick.checked = true;
    });
    $("#correct-reason").value = "";
    $("#correct-form").hidden = false;
    $("#correct-form").scrollIntoView({block: "start"});
  }
  /* A button made inside a list: the same guard as G.on (busy while it runs, the API's refusal shown beside it). */
  function delegate(container, selector, fn) {
    container.addEventListener("click", function (ev) {
      var button = ev.target.closest(selector);
      if (button) G.guard(button, function () { return fn(button); })();
    });
  }
  G.pages.votes_vote = function () {
    G.staffDesk(showVote);
    on("publish", async function () {
      if (!confirm("发布后不能再修改表决内容，参加表决的房屋和面积将固定。确定发布吗？")) return;
      await call("POST", "/api/v1/votes/" + voteId + "/publish");
      await showVote();
      $("#electorate-card").scrollIntoView({block: "start"});
    });
    on("close", async function () {
      if (!confirm("结束后不能再投票或录入选票。确定现在结束投票吗？")) return;
      await call("POST", "/api/v1/votes/" + voteId + "/close");
      await showVote();
    });
    on("announce", async function () {
      if (!confirm("公告后结果即对业主公开，不能再更正选票。确定公告吗？")) return;
      await call("POST", "/api/v1/votes/" + voteId + "/announce");
      await showVote();
    });
    var vote;
    delegate($("#pending"), ".confirm", async function (button) {
      await call("POST", "/api/v1/votes/" + voteId + "/ballots/" + button.dataset.ballot + "/confirm");
      await showVote();
    });
    delegate($("#ballots"), ".correct", async function (button) {
      vote = vote || await loadVote();
      openCorrection(vote, ballotsShown.filter(function (b) { return String(b.id) === button.dataset.ballot; })[0]);
    });
    on("correct-cancel", async function () { $("#correct-form").hidden = true; });
    on("correct-save", async function () {
      var reason = val("correct-reason");
      if (!reason) fail("请写明更正理由");
      await send("POST", "/api/v1/votes/" + voteId + "/ballots/" + correcting.id + "/correct",
        {choices: readChoices("#correct-choices"), reason: reason});
      $("#correct-form").hidden = true;
      await showVote();
    });
    on("void-sheet", async function () {
      if (!val("void-no") || !val("void-reason")) fail("请填写要作废的选票编号和作废理由");
      await showSheets(await send("POST", "/api/v1/votes/" + voteId + "/sheets/" + encodeURIComponent(val("void-no")) + "/void",
        {reason: val("void-reason")}));
      $("#void-no").value = ""; $("#void-reason").value = "";
    });
    delegate($("#tally"), ".r-create", async function (button) {
      var form = button.closest("form"), opens = form.querySelector(".r-opens").value, closes = form.querySelector(".r-closes").value;
      if (!opens || !closes) fail("请填写决选投票的开始和结束时间");
      var r = await send("POST", "/api/v1/votes/" + voteId + "/items/" + form.dataset.item + "/runoff",
        {opens_at: G.beijingIso(opens), closes_at: G.beijingIso(closes)});
      form.querySelector(".r-done").innerHTML = '已建立决选表决（草稿）：<a class="runoff-link" href="/m/committee/votes/' + r.id + '">' +
        esc(r.title) + "</a>，请核对后发布。";
    });
    on("sheets-pdf", async function () { await G.download("/api/v1/votes/" + voteId + "/ballot-sheets.pdf", "表决票-" + voteId + ".pdf"); });
    on("result-pdf", async function () { await G.download("/api/v1/votes/" + voteId + "/result.pdf", "表决结果公告-" + voteId + ".pdf"); });
    on("evidence-xlsx", async function () { await G.download("/api/v1/votes/" + voteId + "/evidence.xlsx", "表决证据-" + voteId + ".xlsx"); });
  };

  /* ---- paper sheets: a stack keyed in fast, one Enter per sheet ---- */
  function nextSheetNo(no) {
    var m = /^(.*?)(\d+)$/.exec(no);
    if (!m) return "";
    var n = String(Number(m[2]) + 1);
    return m[1] + (n.length < m[2].length ? "0".repeat(m[2].length - n.length) + n : n);
  }
  function readAddress() {
    var parts = val("room").split(/[-－/\s]+/).filter(Boolean);  // "3-2-502" typed in the room box
    if (parts.length === 3) { $("#building").value = parts[0]; $("#entrance").value = parts[1]; $("#room").value = parts[2]; }
    var a = {building: val("building"), entrance: val("entrance") || "1", room: val("room")};
    if (!a.building || !a.room) fail("请填写楼栋和房号");
    return a;
  }
  function choiceInputs(vote, prefix) {
    var p = prefix || "c-";
    return vote.items.map(function (item, i) {
      return '<fieldset class="choice" data-item="' + item.id + '"><legend>' + (i + 1) + ". " + esc(item.title) + "</legend>" +
        item.options.map(function (o, k) {
          return '<label class="option"><input type="radio" name="' + p + item.id + '" value="' + esc(o) + '"> <kbd>' + (k + 1) +
            "</kbd> " + esc(item.option_labels[o]) + "</label>";
        }).join("") + '<label class="option blank"><input type="radio" name="' + p + item.id + '" value="" checked> <kbd>0</kbd> 未填（记为' +
          esc(item.option_labels.abstain) + "）</label></fieldset>";
    }).join("");
  }
  /* {item id: option} from a set of choice fieldsets; a blank item is left out (the API counts it as abstaining). */
  function readChoices(within) {
    var choices = {};
    document.querySelectorAll(within + " fieldset").forEach(function (fs) {
      var v = fs.querySelector("input:checked").value;
      if (v) choices[fs.dataset.item] = v;
    });
    return choices;
  }
  async function roomsLeft(form) {
    var p = await call("GET", "/api/v1/votes/" + voteId + "/progress");
    $("#rooms").innerHTML = p.buildings.map(function (b) {
      return b.not_voted.map(function (u) { return '<option value="' + esc(u.room) + '">' + esc(u.label) + "</option>"; }).join("");
    }).join("");
    $("#total-count").textContent = participationText(p.participation, p.electorate) + "。" + p.still_needed.message + "。";
    if (form && p.buildings.length === 1) {  // one entrance or building: fill it in once for the whole stack
      $("#building").value = p.buildings[0].building; $("#entrance").value = p.buildings[0].entrance;
    }
  }
  /* The sheet scanned or typed: its unit and owners as printed (the API's), shown before the choices. */
  function showSheet(sheet) {
    var box = $("#sheet-found");
    box.hidden = false;
    box.innerHTML = '<p class="figure">' + esc(sheet.label || "（这张票没有对应房屋，请按房号录入）") + "</p><p>业主：" +
      (sheet.owners.map(esc).join("、") || "—") + "</p>" +
      (sheet.entered ? '<p class="notice-warn">这张表决票已经录入，回执 ' + esc(sheet.receipt) + "</p>" :
        sheet.unit_voted ? '<p class="notice-warn">该户已经投过票</p>' : "");
  }
  function clearSheet() { $("#sheet-no").value = ""; $("#sheet-found").hidden = true; }
  G.pages.votes_paper = function () {
    var vote, entered = 0, sheet = null, loaded;
    // A scanner can type a number and Enter before the vote has loaded: the look-up waits for it.
    var ready = new Promise(function (resolve) { loaded = resolve; });
    G.staffDesk(async function () {
      vote = await loadVote();
      if (vote.status !== "open") {
        $("#sheet-form").innerHTML = '<p class="notice-warn">这次表决现在不能录入选票（' + esc(vote.status_name) + "）。</p>";
        return;
      }
      $("#choices").innerHTML = choiceInputs(vote);
      await roomsLeft(true);
      // No sheets printed for this vote: entry by room is the way, so it starts open.
      var printedSheets = (await call("GET", "/api/v1/votes/" + voteId + "/sheets")).issued;
      $("#by-room").open = !printedSheets;
      loaded();
      if (val("sheet-no")) return;  // already scanning: the focus stays where the look-up put it
      (printedSheets ? $("#sheet-no") : val("building") ? $("#room") : $("#building")).focus();
    });
    async function lookUp() {
      await ready;
      var no = val("sheet-no");
      sheet = null; $("#sheet-found").hidden = true;
      if (!no) return;
      try {
        sheet = await call("GET", "/api/v1/votes/" + voteId + "/sheets/" + encodeURIComponent(no));
      } catch (e) {  // entering by room, a hand-issued number need not be on record
        if (!$("#by-room").open) G.showError(e.message, $("#sheet-no"));
        return;
      }
      G.clearError();
      showSheet(sheet);
      if (!sheet.unit_id) { sheet = null; $("#by-room").open = true; $("#room").focus(); return; }
      var first = $("#choices input:checked");
      if (first) first.focus();
    }
    var form = $("#sheet-form");
    form.addEventListener("submit", function (ev) { ev.preventDefault(); });  // the button's click does the work
    $("#sheet-no").addEventListener("change", function () { if (!sheet || sheet.sheet_no !== val("sheet-no")) lookUp(); });
    form.addEventListener("keydown", function (ev) {
      var t = ev.target;
      if (t.id === "sheet-no" && ev.key === "Enter") {  // a USB scanner types the number, then Enter
        ev.preventDefault();
        lookUp();
        return;
      }
      if (t.type === "radio") {
        if (ev.key === "Enter") { ev.preventDefault(); $("#enter-sheet").click(); return; }
        var k = /^[0-9]$/.test(ev.key) ? Number(ev.key) : -1;
        var group = t.closest("fieldset").querySelectorAll("input");
        if (k >= 0) {  // 1, 2, 3 … pick the option; 0 leaves it blank; focus moves on to the next item
          ev.preventDefault();
          var pick = k === 0 ? group[group.length - 1] : group[k - 1];
          if (!pick) return;
          pick.checked = true;
          var next = t.closest("fieldset").nextElementSibling;
          (next && next.matches("fieldset") ? next.querySelector("input:checked") : $("#enter-sheet")).focus();
        }
      }
    });
    /* One sheet by its printed number: the unit is the sheet's, no room typed. */
    async function enterBySheet(choices) {
      var r = await send("POST", "/api/v1/votes/" + voteId + "/paper-ballots", {sheet_no: sheet.sheet_no, choices: choices});
      return {label: sheet.label, sheet_no: sheet.sheet_no, receipt: r.receipt};
    }
    /* A sheet without a printed number: by room, as a stack of one. */
    async function enterByRoom(choices) {
      var entry = readAddress();
      if (val("sheet-no")) entry.sheet_no = val("sheet-no");
      if (val("proxy-name")) { entry.proxy_name = val("proxy-name"); entry.evidence = val("evidence"); }
      if (entry.proxy_name && !entry.evidence) fail("委托他人代投的，请填写委托书凭证");
      entry.choices = choices;
      var row = (await send("POST", "/api/v1/votes/" + voteId + "/paper-ballots/bulk", {sheets: [entry]})).results[0];
      if (!row.receipt) {
        $("#room").focus();
        fail(row.label + (entry.sheet_no ? "（选票 " + entry.sheet_no + "）" : "") + "：" + row.message);
      }
      return {label: row.label, sheet_no: entry.sheet_no, receipt: row.receipt, proxy_name: entry.proxy_name};
    }
    on("enter-sheet", async function () {
      if (!vote) return;
      var choices = readChoices("#choices");
      var bySheet = sheet && sheet.sheet_no === val("sheet-no");
      if (!bySheet && val("sheet-no") && !$("#by-room").open) { await lookUp(); return; }
      var done = bySheet ? await enterBySheet(choices) : await enterByRoom(choices);
      entered += 1;
      $("#entered-count").textContent = entered;
      $("#entered").insertAdjacentHTML("afterbegin", "<li>" + esc(done.label) + (done.sheet_no ? "，选票 " + esc(done.sheet_no) : "") +
        "，" + vote.items.map(function (it) { return esc(it.option_labels[choices[it.id] || "abstain"]); }).join("／") +
        (done.proxy_name ? "，" + esc(done.proxy_name) + " 代投" : "") + '，回执 <span class="receipt small">' + esc(done.receipt) + "</span></li>");
      $("#proxy-name").value = ""; $("#evidence").value = ""; $("#proxy-box").open = false;
      document.querySelectorAll("#choices .blank input").forEach(function (el) { el.checked = true; });
      if (bySheet) { sheet = null; clearSheet(); $("#sheet-no").focus(); }
      else { $("#room").value = ""; $("#sheet-no").value = nextSheetNo(done.sheet_no || ""); $("#room").focus(); }
      await roomsLeft(false);
    });
  };

  /* ---- chasing: who has not voted, what is still needed ---- */
  async function showProgress() {
    var p = await call("GET", "/api/v1/votes/" + voteId + "/progress");
    $("#still-needed").textContent = p.still_needed.message;
    $("#still-needed").className = "figure " + (p.participation.met ? "pass" : "short");
    $("#participation").textContent = participationText(p.participation, p.electorate) + "。";
    $("#buildings").innerHTML = p.buildings.map(function (b) {
      return '<section class="card"><h2>' + esc(b.label) + "：共 " + b.units + " 户，已投 " +
        b.voted + " 户，<strong>未投 " + b.not_voted.length + " 户</strong>" +
        (b.pending_confirmation ? "（" + b.pending_confirmation + " 张待复核）" : "") + "</h2>" +
        (b.not_voted.length ? '<ul class="rooms">' + b.not_voted.map(function (u) {
          return "<li><strong>" + esc(u.room) + "</strong> " + esc(u.area) + "㎡</li>";
        }).join("") + "</ul>" : '<p class="pass">全部已投票</p>') + "</section>";
    }).join("");
  }
  G.pages.votes_chasing = function () {
    G.staffDesk(async function () { await loadVote(); await showProgress(); });
    on("reload", showProgress);
  };

  /* The compound picker every desk opens with: the list the clerk may see, the one chosen last time selected;
     ``show`` runs now and on every change. */
  async function pickCompound(show) {
    var list = await compounds(), select = $("#compound");
    select.innerHTML = list.map(function (c) { return '<option value="' + c.id + '">' + esc(c.name) + "</option>"; }).join("");
    var remembered = sessionStorage.getItem(COMPOUND);
    if (list.some(function (c) { return String(c.id) === remembered; })) select.value = remembered;
    select.addEventListener("change", function () {
      sessionStorage.setItem(COMPOUND, select.value);
      show(select.value).catch(function (e) { G.showError(e.message); });
    });
    await show(select.value);
  }

  /* ---- property-management desk (management/): the record, the three-step choice, the history ---- */
  var managed = null;  // the record as last read: its version goes back with an edit
  function managementPath(suffix) { return "/api/v1/compounds/" + val("compound") + "/management" + (suffix || ""); }
  function feeText(fee) { return fee == null ? "未定" : "每月每平方米 " + G.yuan(fee); }
  function managementRows(m) {
    return [["管理模式", m.model_name], ["负责单位", m.unmanaged ? "无人负责（失管）" : m.responsible_party],
      ["物业服务", m.provider_name || "—"], ["联系电话", m.provider_contact || "—"], ["物业费", feeText(m.fee_fen_per_m2_month)],
      ["产权单位", m.rights_holder_name], ["依据", m.basis || "—"], ["生效日期", m.effective_from_text || "—"]];
  }
  function fillManagementForm(m) {
    $("#f-model").value = m.model; $("#f-provider").value = m.provider_name || "";
    $("#f-contact").value = m.provider_contact || ""; $("#f-licence").value = m.provider_licence || "";
    $("#f-fee").value = m.fee_fen_per_m2_month == null ? "" : G.yuanText(m.fee_fen_per_m2_month);
    $("#f-start").value = m.contract_start || ""; $("#f-end").value = m.contract_end || "";
    $("#f-holder").value = m.rights_holder; $("#f-responsible").value = m.responsible_party || "";
    $("#f-from").value = ""; $("#f-basis").value = "";
  }
  async function showManagement(cid) {
    var m = managed = await call("GET", managementPath());
    $("#m-current").innerHTML = (m.unmanaged ? '<p class="notice-warn">⚠ 这个小区目前无人负责（失管）。</p>' : "") +
      table(["项目", "情况"], managementRows(m).map(function (r) { return cells([["项目", esc(r[0])], ["情况", esc(r[1])]]); }));
    fillManagementForm(m);
    var surveys = (await call("GET", "/api/v1/compounds/" + cid + "/surveys")).filter(function (s) {
      return s.template === "property_management";
    });
    $("#m-surveys").innerHTML = surveys.length ? '<table class="list stack"><thead><tr><th>问卷</th><th>范围</th><th>状态</th><th>时间</th></tr></thead><tbody>' +
      surveys.map(surveyRow).join("") + "</tbody></table>" : "<p>还没有物业管理方式调查。</p>";
    $("#m-survey").innerHTML = '<option value="">（不依据问卷）</option>' + surveys.map(function (s) {
      return '<option value="' + s.id + '">' + esc(s.title) + "（" + esc(s.status_name) + "）</option>";
    }).join("");
    $("#m-proposal").innerHTML = "";
    var choices = await call("GET", managementPath("/choices"));
    $("#m-choices").innerHTML = choices.length ? choices.map(function (c) {
      return '<div class="row"><a href="/m/committee/votes/' + c.vote_id + '">表决 #' + c.vote_id + "</a>：" +
        c.proposals.map(function (p) { return esc(p.model_name) + "（" + esc(feeText(p.fee_fen_per_m2_month)) + "）"; }).join("、") +
        "<br>" + (c.applied ? '<span class="pass">已按公告结果生效</span>' : "尚未生效：表决未公告结果，或没有胜出者") + "</div>";
    }).join("") : "<p>还没有发起过物业管理模式表决。</p>";
    var ratings = await call("GET", managementPath("/ratings"));
    $("#m-ratings").innerHTML = ratings.length ? table(["年份", "物业服务", "份数", "平均分"].concat(ratings[0].aspects.map(function (a) {
      return a.name;
    })), ratings.map(function (r) {
      return cells([["年份", esc(r.year)], ["物业服务", esc(r.provider)], ["份数", esc(r.responses)], ["平均分", esc(r.overall_text || "—")]]
        .concat(r.aspects.map(function (a) { return [a.name, esc(a.mean_text || "—")]; })));
    })) : "<p>还没有结束的评价问卷。</p>";
    var history = await call("GET", managementPath("/history"));
    $("#m-history").innerHTML = history.length ? table(["版本", "模式", "物业费", "负责", "依据", "生效", "修改人"], history.map(function (h) {
      return cells([["版本", h.version], ["模式", esc(h.model_name)], ["物业费", esc(feeText(h.fee_fen_per_m2_month))],
        ["负责", esc(h.unmanaged ? "无人负责（失管）" : h.responsible_party)], ["依据", esc(h.basis)],
        ["生效", esc(h.effective_from_text)], ["修改人", esc(h.changed_by)]]);
    })) : "<p>还没有登记过。</p>";
  }
  async function showProposal() {
    var sid = val("m-survey");
    if (!sid) { $("#m-proposal").innerHTML = ""; return; }
    var p = await call("GET", managementPath("/proposal?survey_id=" + sid));
    $("#m-proposal").innerHTML = "<p>共 " + p.responses + " 户作答；已按问卷结果填好下面的物业费，可再调整。</p>" +
      table(["模式", "选择户数", "占比", "建议物业费"], p.models.map(function (r) {
        return cells([["模式", esc(r.model_name)], ["选择户数", r.count], ["占比", r.share == null ? "—" : pct(r.share)],
          ["建议物业费", esc(feeText(r.fee_fen_per_m2_month))]]);
      }));
    p.models.forEach(function (r) {
      $("#m-fee-" + r.model).value = r.fee_fen_per_m2_month == null ? "" : G.yuanText(r.fee_fen_per_m2_month);
    });
  }
  function optionalFen(id) {
    var text = val(id);
    if (!text) return null;
    var amount = G.fen(text);
    if (amount === null) fail("物业费请以元为单位填写，最多两位小数，如 0.60");
    return amount;
  }
  G.pages.management_desk = function () {
    $("#m-opens").value = beijingDay(new Date(), 15, "08:00");  // owners are told 15 days ahead
    $("#m-closes").value = beijingDay(new Date(), 30, "20:00");
    G.staffDesk(function () { return pickCompound(showManagement); });
    $("#m-survey").addEventListener("change", function () { showProposal().catch(function (e) { G.showError(e.message); }); });
    on("m-new-survey", async function () {
      var s = await send("POST", "/api/v1/compounds/" + val("compound") + "/surveys", {template: "property_management",
        opens_at: G.beijingIso(G.beijingInput(new Date())), closes_at: G.beijingIso(beijingDay(new Date(), 14, "20:00"))});
      location.href = "/m/committee/surveys/" + s.id;
    });
    onSubmit("m-choice-form", async function () {
      var proposals = Array.prototype.filter.call(document.querySelectorAll(".m-model"), function (b) { return b.checked; })
        .map(function (b) { return {model: b.value, fee_fen_per_m2_month: optionalFen("m-fee-" + b.value)}; });
      if (proposals.length < 2) fail("请至少勾选两种管理模式供业主选择");
      var c = await send("POST", managementPath("/choices"), {title: val("m-title"), survey_id: val("m-survey") ? Number(val("m-survey")) : null,
        opens_at: G.beijingIso(val("m-opens")), closes_at: G.beijingIso(val("m-closes")), proposals: proposals});
      location.href = "/m/committee/votes/" + c.vote_id;
    });
    onSubmit("m-form", async function () {
      await send("PUT", managementPath(), {version: managed.version, model: val("f-model"), provider_name: val("f-provider") || null,
        provider_contact: val("f-contact") || null, provider_licence: val("f-licence") || null, fee_fen_per_m2_month: optionalFen("f-fee"),
        contract_start: val("f-start") || null, contract_end: val("f-end") || null, rights_holder: val("f-holder"),
        responsible_party: val("f-responsible") || null, effective_from: val("f-from") || null, basis: val("f-basis")});
      await showManagement(val("compound"));
      $("#m-current-card").scrollIntoView();
    });
  };

  /* ---- property-fee desk (management/fees): collection, arrears by entrance, payments, reversals, providers ---- */
  G.pages.fees_desk = function () {
    var byPlace = {};
    function base() { return managementPath("/fees"); }
    function place(b, e, r) { return [b, e || "1", r].join("|"); }
    async function showSummary() {
      var s = await call("GET", base());
      $("#fee-summary").innerHTML = "<p>本月物业费：" + esc(feeText(s.rate_fen_per_m2_month)) + "</p>" +
        (s.periods.length ? table(["月份", "应缴户数", "已缴清", "部分缴纳", "应缴", "已缴", "收缴率"], s.periods.map(function (p) {
          return cells([["月份", esc(p.period_text)], ["应缴户数", esc(p.units_charged)], ["已缴清", esc(p.units_paid)],
            ["部分缴纳", esc(p.units_part_paid)], ["应缴", esc(G.yuan(p.due_fen))], ["已缴", esc(G.yuan(p.paid_fen))],
            ["收缴率", p.collection_rate == null ? "—" : esc(pct(p.collection_rate))]]);
        })) : "<p>这个小区还没有物业费标准。先在“物业管理”里登记管理模式和物业费。</p>");
    }
    async function showAccounts() {
      var all = await call("GET", base() + "/accounts"), groups = [], last = null;
      byPlace = {};
      all.forEach(function (a) {
        byPlace[place(a.unit.building, a.unit.entrance, a.unit.room)] = a;
        if (!a.owed_fen) return;
        var key = a.unit.building + "|" + a.unit.entrance;
        if (key !== last) { groups.push({unit: a.unit, rows: []}); last = key; }
        groups[groups.length - 1].rows.push(a);
      });
      $("#fee-arrears").innerHTML = groups.length ? groups.map(function (g) {
        return "<h3>" + esc(g.unit.stair) + "（" + esc(g.rows.length) + " 户）</h3>" +
          table(["房屋", "欠缴月数", "最早欠缴", "欠缴金额", "登记"], g.rows.map(function (a) {
            var first = a.owed_months[0];
            return cells([["房屋", esc(a.unit.label)], ["欠缴月数", esc(a.months_owed)], ["最早欠缴", esc(a.first_owed_text)],
              ["欠缴金额", esc(G.yuan(a.owed_fen))], ["登记", '<button type="button" class="button narrow" data-unit="' +
                esc(place(a.unit.building, a.unit.entrance, a.unit.room)) + '" data-period="' + esc(first.period) + '" data-owed="' +
                esc(first.owed_fen) + '" aria-label="登记缴费：' + esc(a.unit.label) + "，" + esc(first.period_text) + '">登记缴费</button>']]);
          }));
      }).join("") : "<p>没有欠缴的房屋。</p>";
    }
    async function showEntries() {
      var list = await call("GET", base() + "/entries?per_page=20");
      $("#fee-entries").innerHTML = list.length ? table(["编号", "房屋", "月份", "类型", "金额", "日期", "收据号/原因"], list.map(function (e) {
        return cells([["编号", esc(e.id)], ["房屋", esc(e.unit.label)], ["月份", esc(e.period_text)], ["类型", esc(e.kind_name)],
          ["金额", esc(G.yuan(e.signed_fen))], ["日期", esc(e.paid_on_text)], ["收据号/原因", esc(e.reference || e.reason || "")]]);
      })) : "<p>还没有缴费记录。</p>";
    }
    async function showProviders() {
      try {
        var list = await call("GET", managementPath("/providers"));
      } catch (e) {  // a provider's own account: the grants are the committee's business
        if (e.status === 403) { $("#providers-card").hidden = true; return; }
        throw e;
      }
      $("#providers").innerHTML = list.length ? "<ul>" + list.map(function (g) {
        return "<li>" + esc(g.display_name || g.username) + "（" + esc(g.username) + "）</li>";
      }).join("") + "</ul>" : "<p>还没有物业服务企业账号。</p>";
    }
    async function showAll() { await Promise.all([showSummary(), showAccounts(), showEntries(), showProviders()]); }
    G.staffDesk(async function () {
      $("#p-date").value = G.beijingInput(new Date()).slice(0, 10);
      await pickCompound(showAll);
    });
    $("#fee-arrears").addEventListener("click", function (ev) {  // fill the form from the row: unit, oldest month, what it owes
      var b = ev.target.closest("button[data-unit]");
      if (!b) return;
      var a = byPlace[b.dataset.unit];
      $("#p-building").value = a.unit.building; $("#p-entrance").value = a.unit.entrance; $("#p-room").value = a.unit.room;
      $("#p-period").value = b.dataset.period; $("#p-amount").value = G.yuanText(Number(b.dataset.owed));
      $("#p-reference").focus();
    });
    onSubmit("fee-form", async function () {
      var a = byPlace[place(val("p-building"), val("p-entrance"), val("p-room"))];
      if (!a) fail("本小区没有这个房屋，请核对楼栋、单元和房号");
      var amount = G.fen(val("p-amount"));
      if (amount === null) fail("金额请写成以元为单位、最多两位小数的数字，如 44.00");
      var e = await send("POST", base() + "/entries", {kind: "payment", unit_id: a.unit.id, period: val("p-period"), amount_fen: amount,
        paid_on: val("p-date"), method: val("p-method") || null, reference: val("p-reference")});
      $("#fee-recorded").innerHTML = '<p class="ok">已登记 ' + esc(e.unit.label) + " " + esc(e.period_text) + " 物业费 " +
        esc(G.yuan(e.amount_fen)) + "（记录编号 " + esc(e.id) + "）。</p>";
      $("#p-amount").value = $("#p-reference").value = $("#p-room").value = "";
      await showAll();
    });
    on("fee-reverse", async function () {
      var id = val("fr-entry");
      if (!/^\d+$/.test(id)) fail("请填写要冲正的记录编号");
      await send("POST", base() + "/entries", {kind: "reversal", reverses: parseInt(id, 10), reason: val("fr-reason")});
      $("#fr-entry").value = $("#fr-reason").value = "";
      await showAll();
    });
    on("fee-import", async function () {
      var file = $("#fee-file").files[0];
      if (!file) fail("请先选择文件");
      var form = new FormData();
      form.append("file", file);
      $("#fee-import-result").innerHTML = "";
      try {
        var r = await call("POST", base() + "/imports", form);
        $("#fee-import-result").innerHTML = '<p class="ok">已导入 ' + esc(r.entries) + " 笔，共 " + esc(G.yuan(r.amount_fen)) + "。</p>";
      } catch (e) {
        var rows = e.data && Array.isArray(e.data.errors) ? e.data.errors : [];
        if (rows.length) {
          $("#fee-import-result").innerHTML = table(["行", "列", "问题"], rows.map(function (x) {
            return cells([["行", esc(x.row == null ? "" : x.row)], ["列", esc(x.column || "")], ["问题", esc(x.message)]]);
          }));
        }
        throw e;
      }
      await showAll();
    });
    on("grant", async function () {
      await send("POST", managementPath("/providers"), {username: val("grant-username")});
      $("#grant-username").value = "";
      await showProviders();
    });
    function name(what) { return ($("#compound").selectedOptions[0] || {}).textContent + "-" + what; }
    on("arrears-xlsx", function () { return G.download(base() + "/arrears?format=xlsx", name("物业费欠缴名单.xlsx")); });
    on("arrears-csv", function () { return G.download(base() + "/arrears?format=csv", name("物业费欠缴名单.csv")); });
  };

  /* ---- surveys desk (surveys/) ---- */
  // surveys: committee pages go here
  var surveyId = Number(body.dataset.survey);
  var SURVEY_FIELDS = {title: "标题", questions: "题目", options: "选项", max_choices: "最多选几项", scope: "范围",
    template: "模板", show_if: "显示条件", key: "题目编号", type: "题型", closes_at: "结束时间", opens_at: "开始时间"};
  async function surveySend(method, path, payload) {
    try { return await call(method, path, payload); } catch (e) {
      if (e.status !== 422 || !(e.data && e.data.errors)) throw e;
      var found = [];
      (function walk(node, name) {
        if (Array.isArray(node) && node.every(function (m) { return typeof m === "string"; })) {
          node.forEach(function (m) { found.push((SURVEY_FIELDS[name] ? SURVEY_FIELDS[name] + "：" : "") + m); });
        } else if (node && typeof node === "object") {
          Object.keys(node).forEach(function (k) { walk(node[k], /^\d+$/.test(k) ? "第" + (Number(k) + 1) + "题" : k === "json" ? name : k); });
        }
      })(e.data.errors, "");
      throw new Error(e.message + "：" + found.join("；"));
    }
  }
  function surveyRow(s) {
    return '<tr><td data-label="问卷"><a href="/m/committee/surveys/' + s.id + '">' + esc(s.title) + '</a></td><td data-label="范围">' +
      esc(s.scope_text) + "，" + esc(s.audience_name) + (s.anonymous ? "，匿名" : "") + '</td><td data-label="状态"><span class="tag">' +
      esc(s.status_name) + '</span></td><td data-label="时间">' + esc(G.when(s.opens_at)) + " 至<br>" + esc(G.when(s.closes_at)) + "</td></tr>";
  }
  async function showSurveys(cid) {
    sessionStorage.setItem(COMPOUND, cid);
    var list = await call("GET", "/api/v1/compounds/" + cid + "/surveys");
    $("#surveys").innerHTML = list.length ? '<table class="list stack"><thead><tr><th>问卷</th><th>范围</th><th>状态</th><th>时间</th></tr></thead><tbody>' +
      list.map(surveyRow).join("") + "</tbody></table>" : '<p class="card">这个小区还没有问卷。可以在下面从模板新建。</p>';
  }
  var QUESTION_TYPES = [["single", "单选"], ["multiple", "多选"], ["ranking", "排序"], ["scale", "打分（1至5分）"], ["text", "简答"]];
  function addQuestion() {
    var n = document.querySelectorAll("#s-questions fieldset").length + 1;
    var f = document.createElement("fieldset");
    f.className = "choice s-question";
    f.innerHTML = "<legend>第" + n + "题</legend>" +
      '<label for="sq-type-' + n + '">题型</label><select id="sq-type-' + n + '" class="sq-type">' +
      QUESTION_TYPES.map(function (t) { return '<option value="' + t[0] + '">' + t[1] + "</option>"; }).join("") + "</select>" +
      '<label for="sq-title-' + n + '">题目</label><input type="text" maxlength="300" id="sq-title-' + n + '" class="sq-title">' +
      '<label for="sq-options-' + n + '">选项（每行一个；单选、多选、排序题填写）</label><textarea rows="3" id="sq-options-' + n + '" class="sq-options"></textarea>' +
      '<label for="sq-max-' + n + '">多选题最多选几项（可不填）</label><input type="text" inputmode="numeric" maxlength="2" id="sq-max-' + n + '" class="sq-max">' +
      '<label class="check"><input type="checkbox" class="sq-required"> 必答</label>' +
      '<label class="check"><input type="checkbox" class="sq-other"> 有“其他（请注明）”</label>';
    $("#s-questions").appendChild(f);
  }
  function editedQuestions() {
    return Array.prototype.map.call(document.querySelectorAll("#s-questions fieldset"), function (f, i) {
      var q = {key: "q" + (i + 1), type: f.querySelector(".sq-type").value, title: f.querySelector(".sq-title").value.trim(),
        required: f.querySelector(".sq-required").checked};
      var options = f.querySelector(".sq-options").value.split("\n").map(function (o) { return o.trim(); }).filter(Boolean);
      if (options.length) q.options = options;
      var max = f.querySelector(".sq-max").value.trim();
      if (max) q.max_choices = parseInt(max, 10);
      if (f.querySelector(".sq-other").checked) q.allow_other = true;
      return q;
    });
  }
  G.pages.surveys_list = function () {
    G.staffDesk(async function () {
      var templates = await call("GET", "/api/v1/survey-templates");
      $("#s-template").insertAdjacentHTML("beforeend", templates.map(function (t) {
        return '<option value="' + esc(t.code) + '">' + esc(t.title) + "（" + t.question_count + "题）</option>";
      }).join(""));
      $("#s-template").addEventListener("change", function () {
        var t = templates.filter(function (x) { return x.code === $("#s-template").value; })[0];
        $("#s-template-text").textContent = t ? t.description : "";
        $("#s-editor").hidden = !!t;
      });
      var now = new Date();
      $("#s-opens").value = G.beijingInput(now);
      $("#s-closes").value = G.beijingInput(new Date(now.getTime() + 14 * 86400000));
      addQuestion();
      await pickCompound(showSurveys);
    });
    on("s-add", async function () { addQuestion(); });
    on("s-create", async function () {
      var data = {opens_at: G.beijingIso(val("s-opens")), closes_at: G.beijingIso(val("s-closes")),
        audience: val("s-audience"), anonymous: $("#s-anonymous").checked, scope: {}};
      if (val("s-building")) data.scope.building = val("s-building");
      if (val("s-entrance")) data.scope.entrance = val("s-entrance");
      if (val("s-title")) data.title = val("s-title");
      if (val("s-description")) data.description = val("s-description");
      if (val("s-template")) data.template = val("s-template");
      else data.questions = editedQuestions();
      var s = await surveySend("POST", "/api/v1/compounds/" + $("#compound").value + "/surveys", data);
      location.href = "/m/committee/surveys/" + s.id;
    });
  };

  function resultHtml(q, chart) {
    var rows = "";
    if (q.ranking) {
      rows = "<tr><th>选项</th><th>得分（Borda）</th><th>排了的回答</th><th>平均名次</th></tr>" + q.option_order.map(function (c) {
        var r = q.ranking[c];
        return "<tr><td>" + esc(r.label) + "</td><td>" + r.borda + "</td><td>" + r.ranked + "</td><td>" + (r.mean_rank === null ? "—" : r.mean_rank) + "</td></tr>";
      }).join("");
    } else if (q.options) {
      rows = "<tr><th>选项</th><th>人数</th><th>占比</th></tr>" + q.option_order.map(function (c) {
        var o = q.options[c];
        return "<tr><td>" + esc(o.label) + "</td><td>" + o.count + "</td><td>" + (o.share === null ? "—" : pct(o.share)) + "</td></tr>";
      }).join("");
    }
    var texts = (q.texts || []).concat((q.other || []).map(function (t) { return "其他：" + t; }));
    return '<section class="result-question" id="r-' + esc(q.key) + '"><h3>' + esc(q.title) + "</h3><p>回答 " + q.answered + " 份" +
      (q.mean !== null ? "，平均 " + q.mean + " 分" : "") + "</p>" + (chart ? chart.svg : "") +
      (rows ? '<table class="list">' + rows + "</table>" : "") +
      (texts.length ? '<ul class="plain">' + texts.map(function (t) { return "<li>" + esc(t) + "</li>"; }).join("") + "</ul>" : "") + "</section>";
  }
  async function showResults() {
    var r = await call("GET", "/api/v1/surveys/" + surveyId + "/results");
    var charts = {};
    (await call("GET", "/api/v1/surveys/" + surveyId + "/charts")).charts.forEach(function (c) { charts[c.key] = c; });
    $("#r-rate").textContent = "已回答 " + r.responses + " 份，范围内 " + r.households + " 户" +
      (r.response_rate === null ? "" : "，回答率 " + pct(r.response_rate));
    $("#r-entrances").innerHTML = '<table class="list stack"><thead><tr><th>楼栋单元</th><th>户数</th><th>已回答</th></tr></thead><tbody>' +
      r.by_entrance.map(function (e) {
        return '<tr><td data-label="楼栋单元">' + esc(e.label) + '</td><td data-label="户数">' + e.households + '</td><td data-label="已回答">' + e.responses + "</td></tr>";
      }).join("") + "</tbody></table>";
    $("#r-questions").innerHTML = r.questions.map(function (q) { return resultHtml(q, charts[q.key]); }).join("");
  }
  async function showPending(s) {
    var p = await call("GET", "/api/v1/surveys/" + surveyId + "/pending");
    $("#pending").innerHTML = p.entrances.map(function (g) {
      return "<h3>" + esc(g.label) + "：共 " + g.households + " 户，已答 " + g.answered + " 户，<strong>未答 " + g.not_answered.length + " 户</strong></h3>" +
        (g.not_answered.length ? '<ul class="rooms">' + g.not_answered.map(function (u) { return "<li>" + esc(u.room) + "</li>"; }).join("") + "</ul>" : '<p class="pass">全部已回答</p>');
    }).join("");
    var units = [];
    p.entrances.forEach(function (g) { units = units.concat(s.audience === "household" ? g.not_answered : g.units); });
    $("#paper-unit").innerHTML = units.map(function (u) { return '<option value="' + u.unit_id + '">' + esc(u.label) + "</option>"; }).join("");
  }
  G.pages.surveys_detail = function () {
    var s;
    async function load() {
      s = await call("GET", "/api/v1/surveys/" + surveyId);
      document.title = s.title + " · 共建";
      $("#s-name").textContent = s.title;
      $("#s-state").textContent = s.status_name + "，" + s.scope_text + "，" + s.audience_name + (s.anonymous ? "，匿名" : "") +
        "，" + G.when(s.opens_at) + " 至 " + G.when(s.closes_at);
      $("#s-publish").hidden = s.status !== "draft";
      $("#s-close").hidden = s.status !== "open" && s.status !== "scheduled";
      $("#paper-card").hidden = s.status !== "open";
      $("#s-draft-vote-card").hidden = !(s.template === "renovation_needs" && s.status === "closed" && !s.draft_vote_id);
      $("#s-draft-campaign-card").hidden = !(s.template === "elevator_willingness" && s.status === "closed" && !s.draft_campaign_id);
      $("#s-question-list").innerHTML = s.questions.map(function (q) {
        return "<li>" + esc(q.title) + "（" + esc(q.type_name) + (q.required ? "，必答" : "") + "）" +
          (q.options ? "：" + q.options.map(function (o) { return esc(o.label); }).join(" / ") : "") + "</li>";
      }).join("");
      if (s.status === "open") G.pages.survey.form.render($("#paper-questions"), s.questions, "pp");
      if (s.status !== "draft") { await showResults(); await showPending(s); }
      else { $("#results-card").hidden = true; $("#pending-card").hidden = true; }
    }
    G.staffDesk(load);
    on("s-publish", async function () { await surveySend("POST", "/api/v1/surveys/" + surveyId + "/publish"); location.reload(); });
    on("s-close", async function () {
      if (!window.confirm("结束后不能再回答，确定结束问卷吗？")) return;
      await call("POST", "/api/v1/surveys/" + surveyId + "/close"); location.reload();
    });
    on("s-csv", async function () { await G.download("/api/v1/surveys/" + surveyId + "/export?format=csv", "问卷回答-" + s.title + ".csv"); });
    on("s-xlsx", async function () { await G.download("/api/v1/surveys/" + surveyId + "/export?format=xlsx", "问卷回答-" + s.title + ".xlsx"); });
    on("s-draft-campaign", async function () {
      var total = G.fen(val("dc-total"));
      if (!total) throw new Error("总费用请以元为单位填写，最多两位小数，如 600000");
      var r = await surveySend("POST", "/api/v1/surveys/" + surveyId + "/draft-campaign", {total_cost_fen: total});
      location.href = "/m/committee/campaigns/" + r.campaign_id;
    });
    on("s-draft-vote", async function () {
      var r = await surveySend("POST", "/api/v1/surveys/" + surveyId + "/draft-vote",
        {opens_at: G.beijingIso(val("dv-opens")), closes_at: G.beijingIso(val("dv-closes"))});
      $("#dv-result").innerHTML = '已生成表决草稿：<a href="/m/committee/votes/' + r.vote_id + '">' + r.items.map(esc).join("、") + "</a>";
    });
    var now = new Date();
    $("#dv-opens").value = G.beijingInput(new Date(now.getTime() + 16 * 86400000));
    $("#dv-closes").value = G.beijingInput(new Date(now.getTime() + 30 * 86400000));
    var form = $("#paper-form"), button = $("#paper-submit");
    form.addEventListener("submit", async function (ev) {
      ev.preventDefault();
      G.clearError(); G.pages.survey.form.clear(form); button.disabled = true;
      try {
        var unit = $("#paper-unit"), label = unit.options[unit.selectedIndex] ? unit.options[unit.selectedIndex].text : "";
        await call("POST", "/api/v1/surveys/" + surveyId + "/paper-responses",
          {unit_id: Number(unit.value), answers: G.pages.survey.form.collect(form, s.questions, "pp")});
        $("#paper-done").textContent = "已录入：" + label; $("#paper-done").hidden = false;
        form.reset();
        G.pages.survey.form.render($("#paper-questions"), s.questions, "pp");
        await showResults(); await showPending(s);
        unit.focus();
      } catch (e) {
        G.showError(e.message, button);
        if (e.status === 422) G.pages.survey.form.showErrors(form, e, "pp");
      } finally { button.disabled = false; }
    });
  };

  /* ---- co-funding desk (funds/campaigns) ---- */
  // campaigns: committee pages go here
  var campaignId = Number(body.dataset.campaign);
  /* Enter (or the submit button) submits the form once: the submit event alone, guarded like G.on. */
  function onSubmit(formId, fn) {
    var form = document.getElementById(formId), button = form.querySelector('[type="submit"]');
    var submit = G.guard(button, fn);
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      if (!button.disabled) submit();
    });
  }
  var yuan = G.yuan;
  function amountFen(id, required) {
    var text = val(id);
    if (!text && !required) return null;
    var amount = G.fen(text);
    if (amount === null || amount <= 0) fail("金额请以元为单位填写，最多两位小数，如 1234.50");
    return amount;
  }
  var FIGURES = [["total_cost_fen", "总费用"], ["subsidies_fen", "补助"], ["residents_part_fen", "居民出资"],
    ["pledged_fen", "已认捐"], ["paid_fen", "已缴"], ["unpledged_fen", "未认捐"], ["gap_fen", "缺口"]];
  function figuresHtml(c) {
    return '<table class="list stack"><thead><tr>' + FIGURES.map(function (f) { return "<th>" + f[1] + "</th>"; }).join("") +
      "<th>户数</th></tr></thead><tbody><tr>" + FIGURES.map(function (f, n) {
        return '<td class="fig-' + n + '" data-label="' + f[1] + '">' + esc(yuan(c[f[0]])) + "</td>";
      }).join("") + '<td data-label="户数">应出资 ' + c.households + " 户，已认捐 " + c.households_pledged + " 户，已缴清 " +
      c.households_paid + " 户</td></tr></tbody></table>" + (c.subsidies.length ? "<p>补助：" + c.subsidies.map(function (s) {
        return esc(s.source_name) + " " + esc(yuan(s.amount_fen));
      }).join("，") + "</p>" : "") + "<p>" + esc(c.rule_name) + "，范围：" + esc(c.scope_text) + "</p>";
  }
  function sharesTable(rows) {
    return '<table class="list stack"><thead><tr><th>房屋</th><th>楼层</th><th>面积（㎡）</th><th>系数</th><th>份额</th>' +
      "<th>认捐</th><th>已缴</th><th>状态</th></tr></thead><tbody>" + rows.map(function (s) {
        return '<tr><td data-label="房屋">' + esc(s.label) + '</td><td data-label="楼层">' + esc(s.floor == null ? "" : s.floor) +
          '</td><td data-label="面积（㎡）">' + esc(s.area) + '</td><td data-label="系数">' + esc(s.coefficient || "") +
          '</td><td data-label="份额">' + esc(yuan(s.share_fen)) + '</td><td data-label="认捐">' + esc(yuan(s.pledged_fen)) +
          '</td><td data-label="已缴">' + esc(yuan(s.paid_fen)) + '</td><td data-label="状态">' + esc(s.status_name) + "</td></tr>";
      }).join("") + "</tbody></table>";
  }

  /* ---- list, create (a draft previewed through its shares endpoint) and publish ---- */
  var draftId = null;
  async function showCampaigns(cid) {
    sessionStorage.setItem(COMPOUND, cid);
    var list = await call("GET", "/api/v1/compounds/" + cid + "/campaigns?per_page=100");
    $("#campaigns").innerHTML = list.length ? '<table class="list stack"><thead><tr><th>项目</th><th>范围</th><th>状态</th>' +
      "<th>居民出资</th><th>已认捐</th><th>已缴</th><th>缺口</th></tr></thead><tbody>" + list.map(function (c) {
        return '<tr><td data-label="项目"><a href="/m/committee/campaigns/' + c.id + '">' + esc(c.title) + '</a></td><td data-label="范围">' +
          esc(c.scope_text) + '</td><td data-label="状态"><span class="tag">' + esc(c.status_name) + '</span></td><td data-label="居民出资">' +
          esc(yuan(c.residents_part_fen)) + '</td><td data-label="已认捐">' + esc(yuan(c.pledged_fen)) + '</td><td data-label="已缴">' +
          esc(yuan(c.paid_fen)) + '</td><td data-label="缺口">' + esc(yuan(c.gap_fen)) + "</td></tr>";
      }).join("") + "</tbody></table>" : '<p class="card">这个小区还没有出资项目。</p>';
  }
  function coefficients(text) {
    var table = {}, re = /(-?\d+)\s*[=:：]\s*([^\s,，;；]+)/g, m;
    while ((m = re.exec(text))) table[m[1]] = m[2];
    return table;
  }
  function campaignSpec() {
    var scope = {};
    if (val("c-building")) scope.building = val("c-building");
    if (val("c-entrance")) scope.entrance = val("c-entrance");
    var subsidies = [];
    Array.prototype.forEach.call(document.querySelectorAll("input.subsidy"), function (input) {
      if (input.value.trim()) subsidies.push({source: input.dataset.source, amount_fen: amountFen(input.id, true)});
    });
    var spec = {title: val("c-title"), description: val("c-description"), scope: scope,
      total_cost_fen: amountFen("c-total", true), subsidies: subsidies, rule: val("c-rule")};
    if (spec.rule === "floor_area") spec.floor_coefficients = coefficients(val("c-coefficients"));
    return spec;
  }
  async function preview() {
    var spec = campaignSpec(), c;
    c = draftId ? await send("PUT", "/api/v1/campaigns/" + draftId, spec) :
      await send("POST", "/api/v1/compounds/" + val("compound") + "/campaigns", spec);
    draftId = c.id;
    $("#form-heading").textContent = "修改草稿：" + c.title;
    $("#preview-figures").innerHTML = figuresHtml(c);
    $("#preview-shares").innerHTML = sharesTable(await call("GET", "/api/v1/campaigns/" + c.id + "/shares"));
    $("#open-desk").href = "/m/committee/campaigns/" + c.id;
    $("#preview-card").hidden = false;
    await showCampaigns(val("compound"));
  }
  G.pages.campaigns_desk = function () {
    G.staffDesk(async function () {
      await pickCompound(function (cid) { draftId = null; return showCampaigns(cid); });
    });
    $("#c-rule").addEventListener("change", function () { $("#coefficients-box").hidden = val("c-rule") !== "floor_area"; });
    onSubmit("campaign-form", preview);
    on("new-campaign", function () {
      draftId = null;
      $("#campaign-form").reset();
      $("#coefficients-box").hidden = true;
      $("#preview-card").hidden = true;
      $("#form-heading").textContent = "新建出资项目";
      $("#c-title").focus();
    });
    on("publish", async function () {
      if (!draftId) fail("请先保存草稿并预览");
      await send("POST", "/api/v1/campaigns/" + draftId + "/publish", {notice: $("#with-notice").checked});
      location.href = "/m/committee/campaigns/" + draftId;
    });
  };

  /* ---- one campaign: figures, keyboard entry of pledges and payments, door-to-door lists, downloads ---- */
  var campaignShares = [], enteredCount = 0;
  function beijingToday() { return G.beijingInput(new Date()).slice(0, 10); }
  function findUnit() {
    var building = val("building"), entrance = val("entrance") || "1", room = val("room");
    var parts = room.split("-");
    if (parts.length === 3) { building = parts[0]; entrance = parts[1]; room = parts[2]; }
    var found = campaignShares.filter(function (s) {
      return s.building === building && s.entrance === entrance && s.room === room;
    })[0];
    if (!found) fail("在本项目范围内找不到该房屋（楼栋-单元-房号：" + [building, entrance, room].join("-") + "）");
    return found;
  }
  function grouped(rows, what) {
    if (!rows.length) return '<p class="pass">没有了</p>';
    var groups = {}, order = [];
    rows.forEach(function (s) {
      var key = s.entrance_text;
      if (!groups[key]) { groups[key] = []; order.push(key); }
      groups[key].push(s);
    });
    return order.map(function (key) {
      return "<h3>" + esc(key) + "（" + groups[key].length + " 户）</h3><ul class=\"rooms\">" + groups[key].map(function (s) {
        return "<li><strong>" + esc(s.room) + "</strong> " + esc(what(s)) + "</li>";
      }).join("") + "</ul>";
    }).join("");
  }
  function paymentsHtml(entries) {
    if (!entries.length) return "<p>还没有缴款记录。</p>";
    return '<table class="list stack"><thead><tr><th>房屋</th><th>类别</th><th>金额</th><th>日期</th><th>方式</th>' +
      "<th>凭证号或原因</th><th>操作</th></tr></thead><tbody>" + entries.map(function (p) {
        var action = p.reversible ? '<label for="why-' + p.id + '">冲正原因</label><input id="why-' + p.id +
          '" type="text" maxlength="255"><button type="button" class="button narrow reverse" data-payment="' + p.id + '">冲正</button>' :
          (p.reversed ? "已冲正" : "");
        return '<tr><td data-label="房屋">' + esc(p.unit_label) + '</td><td data-label="类别">' + esc(p.kind_name) +
          '</td><td data-label="金额">' + esc(yuan(p.signed_fen)) +
          '</td><td data-label="日期">' + esc(p.paid_on) + '</td><td data-label="方式">' + esc(p.method_name || "") +
          '</td><td data-label="凭证号或原因">' + esc(p.reference || p.reason || "") + '</td><td data-label="操作">' + action + "</td></tr>";
      }).join("") + "</tbody></table>";
  }
  async function showCampaign() {
    var c = await call("GET", "/api/v1/campaigns/" + campaignId);
    document.title = c.title + " · 共建";
    $("#c-title").textContent = c.title;
    $("#c-status").textContent = c.status_name;
    $("#c-scope").textContent = c.scope_text;
    $("#c-figures").innerHTML = figuresHtml(c);
    campaignShares = await call("GET", "/api/v1/campaigns/" + campaignId + "/shares");
    $("#draft-box").hidden = c.status !== "draft";
    $("#entry-area").hidden = c.status === "draft";
    if (c.status === "draft") $("#draft-shares").innerHTML = sharesTable(campaignShares);
    var sharing = campaignShares.filter(function (s) { return s.share_fen > 0; });
    $("#not-pledged").innerHTML = grouped(sharing.filter(function (s) { return s.status === "none"; }),
      function (s) { return yuan(s.share_fen); });
    $("#not-paid").innerHTML = grouped(campaignShares.filter(function (s) { return s.status === "pledged" || s.status === "part_paid"; }),
      function (s) { return "还差 " + yuan(s.outstanding_fen); });
    $("#payments").innerHTML = paymentsHtml(await call("GET", "/api/v1/campaigns/" + campaignId + "/payments"));
    Array.prototype.forEach.call(document.querySelectorAll("button.reverse"), function (b) {
      b.addEventListener("click", async function () {
        G.clearError();
        try {
          await send("POST", "/api/v1/campaigns/" + campaignId + "/payments/" + b.dataset.payment + "/reverse",
            {reason: val("why-" + b.dataset.payment)});
          await showCampaign();
        } catch (e) { G.showError(e.message, b); }
      });
    });
    return c;
  }
  function entryKind() { return document.querySelector('input[name="entry-kind"]:checked').value; }
  async function enter() {
    var unit = findUnit(), kind = entryKind(), amount = amountFen("amount", kind === "payment"), made;
    if (kind === "pledge") {
      made = await send("POST", "/api/v1/campaigns/" + campaignId + "/pledges", {unit_id: unit.unit_id, amount_fen: amount});
    } else {
      made = await send("POST", "/api/v1/campaigns/" + campaignId + "/payments", {unit_id: unit.unit_id, amount_fen: amount,
        paid_on: val("paid-on"), method: val("method"), reference: val("reference") || null});
    }
    enteredCount += 1;
    $("#entered-count").textContent = enteredCount;
    var li = document.createElement("li");
    li.textContent = unit.label + " " + (kind === "pledge" ? "认捐 " : "缴款 ") + yuan(made.amount_fen);
    $("#entered").prepend(li);
    ["room", "amount", "reference"].forEach(function (id) { $("#" + id).value = ""; });
    $("#room").focus();
    await showCampaign();
  }
  G.pages.campaign_desk = function () {
    G.staffDesk(async function () {
      $("#paid-on").value = beijingToday();
      await showCampaign();
    });
    document.querySelectorAll('input[name="entry-kind"]').forEach(function (r) {
      r.addEventListener("change", function () { $("#payment-fields").hidden = entryKind() !== "payment"; });
    });
    onSubmit("entry-form", enter);
    $("#room").addEventListener("input", function () {
      try { $("#unit-found").textContent = findUnit().label + "，份额 " + yuan(findUnit().share_fen); }
      catch (e) { $("#unit-found").textContent = ""; }
    });
    on("publish", async function () {
      await send("POST", "/api/v1/campaigns/" + campaignId + "/publish", {notice: $("#with-notice").checked});
      await showCampaign();
    });
    on("dl-xlsx", function () { return G.download("/api/v1/campaigns/" + campaignId + "/shares?format=xlsx", "出资分摊.xlsx"); });
    on("dl-csv", function () { return G.download("/api/v1/campaigns/" + campaignId + "/shares?format=csv", "出资分摊.csv"); });
    on("dl-letters", function () { return G.download("/api/v1/campaigns/" + campaignId + "/letters.pdf", "出资入户通知.pdf"); });
  };

  /* ---- maintenance-fund desk (funds/ledger) ---- */
  // ledger: committee pages go here
  /* The fund desk: every figure, status and name comes from the API; amounts typed in yuan become fen by G.fen. */
  function fundDay() { return G.beijingInput(new Date()).slice(0, 10); }  // today in Beijing, for the date boxes
  function fundTable(heads, rows) {
    return '<table class="list stack"><thead><tr>' + heads.map(function (h) { return "<th>" + esc(h) + "</th>"; }).join("") +
      "</tr></thead><tbody>" + rows.map(function (cells) {
        return "<tr>" + cells.map(function (c, i) { return '<td data-label="' + esc(heads[i]) + '">' + c + "</td>"; }).join("") + "</tr>";
      }).join("") + "</tbody></table>";
  }
  function accountCells(a) {
    return [esc(a.label), esc(a.area) + "㎡", esc(G.yuan(a.due_fen)), esc(G.yuan(a.paid_fen)), esc(G.yuan(a.outstanding_fen)),
      esc(G.yuan(a.used_fen)), esc(G.yuan(a.balance_fen)), '<span class="tag">' + esc(a.status_name) + "</span>"];
  }
  var ACCOUNT_HEADS = ["房屋", "面积", "应缴", "已缴", "欠缴", "已使用", "余额", "状态"];
  G.pages.fund_desk = function () {
    var cid = null, byPlace = {}, entered = 0;
    function base() { return "/api/v1/compounds/" + cid + "/fund"; }
    function place(b, e, r) { return [b, e || "1", r].join("|"); }
    async function showSummary() {
      var s = await call("GET", base());
      $("#fund-summary").innerHTML = '<p class="figure">应缴 ' + esc(G.yuan(s.due_fen)) + "，已缴 " + esc(G.yuan(s.paid_fen)) +
        "，欠缴 " + esc(G.yuan(s.outstanding_fen)) + "，已使用 " + esc(G.yuan(s.used_fen)) + "，余额 " + esc(G.yuan(s.balance_fen)) + "</p>" +
        "<p>共 " + esc(s.units) + " 户：已缴足 " + esc(s.units_paid) + " 户，部分缴存 " + esc(s.units_part_paid) + " 户，未缴 " +
        esc(s.units_unpaid) + " 户；需续筹 " + esc(s.units_top_up) + " 户。</p>";
    }
    async function showAccounts() {
      var all = await call("GET", base() + "/accounts"), status = $("#status-filter").value;
      byPlace = {};
      all.forEach(function (a) { byPlace[place(a.building, a.entrance, a.room)] = a; });
      var shown = status ? await call("GET", base() + "/accounts?status=" + encodeURIComponent(status)) : all;
      $("#accounts").innerHTML = shown.length ? fundTable(ACCOUNT_HEADS, shown.map(accountCells)) : "<p>没有符合条件的房屋。</p>";
      var flagged = all.filter(function (a) { return a.top_up; });
      $("#top-up").innerHTML = flagged.length ? fundTable(ACCOUNT_HEADS, flagged.map(accountCells)) : "<p>目前没有需续筹的房屋。</p>";
    }
    async function showEntries() {
      var list = await call("GET", base() + "/entries?per_page=20");
      $("#entries").innerHTML = list.length ? fundTable(["编号", "房屋", "类型", "金额", "日期", "流水号/说明", "操作"], list.map(function (e) {
        return [esc(e.id), esc(e.label), esc(e.kind_name), esc(G.yuan(e.amount_fen)), esc(e.date_text),
          esc(e.reference || e.title || e.reason || ""),
          e.reversible ? '<button type="button" class="button narrow" data-reverse="' + esc(e.id) + '">冲正</button>' : ""];
      })) : "<p>还没有记录。</p>";
    }
    async function showRates() {
      var list = await call("GET", base() + "/rates");
      $("#rates").innerHTML = list.length ? fundTable(["范围", "每平方米", "起始日期", "依据"], list.map(function (r) {
        return [esc(r.scope_text), esc(G.yuan(r.rate_fen_per_m2)), esc(r.effective_from_text), esc(r.basis)];
      })) : "<p>还没有设定缴存标准。</p>";
    }
    async function showSpendings() {
      var list = await call("GET", base() + "/spending");
      $("#spendings").innerHTML = list.length ? fundTable(["日期", "项目", "范围", "金额", "分摊户数"], list.map(function (sp) {
        return [esc(sp.date_text), esc(sp.title), esc(sp.scope_text), esc(G.yuan(sp.amount_fen)), esc(sp.shares.length)];
      })) : "<p>还没有使用记录。</p>";
    }
    async function showAll() {
      await Promise.all([showSummary(), showAccounts(), showEntries(), showRates(), showSpendings()]);
    }
    async function choose(value) {
      cid = value;
      sessionStorage.setItem(COMPOUND, cid);
      await showAll();
    }
    G.staffDesk(async function () {
      $("#d-date").value = $("#rate-from").value = $("#s-date").value = fundDay();
      $("#statement-year").value = fundDay().slice(0, 4);
      await pickCompound(choose);
      $("#d-building").focus();
    });
    $("#status-filter").addEventListener("change", function () { showAccounts().catch(function (e) { G.showError(e.message); }); });
    $("#deposit-form").addEventListener("submit", function (ev) { ev.preventDefault(); });  // the button's click does the work
    on("record-deposit", async function () {
      var account = byPlace[place(val("d-building"), val("d-entrance"), val("d-room"))];
      if (!account) fail("本小区没有这个房屋，请核对楼栋、单元和房号");
      var amount = G.fen(val("d-amount"));
      if (amount === null) fail("金额请写成以元为单位、最多两位小数的数字，如 1234.50");
      var entry = await send("POST", base() + "/entries", {kind: "deposit", unit_id: account.unit_id, amount_fen: amount,
        date: val("d-date"), reference: val("d-reference")});
      entered += 1;
      $("#entered-count").textContent = entered;
      $("#entered").insertAdjacentHTML("afterbegin", "<li>" + esc(entry.label) + " " + esc(G.yuan(entry.amount_fen)) + "（" +
        esc(entry.reference) + "，记录编号 " + esc(entry.id) + "）</li>");
      $("#d-amount").value = $("#d-reference").value = $("#d-room").value = "";
      $("#d-room").focus();
      await showAll();
    });
    $("#entries").addEventListener("click", function (ev) {  // a row's 冲正 names the entry; the reason is typed
      var id = ev.target.dataset && ev.target.dataset.reverse;
      if (!id) return;
      $("#r-entry").value = id;
      $("#r-reason").focus();
    });
    on("reverse", async function () {
      var id = val("r-entry");
      if (!/^\d+$/.test(id)) fail("请填写要冲正的记录编号");
      await send("POST", base() + "/entries", {kind: "reversal", reverses: parseInt(id, 10), reason: val("r-reason")});
      $("#r-entry").value = $("#r-reason").value = "";
      await showAll();
    });
    on("record-spending", async function () {
      var amount = G.fen(val("s-amount"));
      if (amount === null) fail("金额请写成以元为单位、最多两位小数的数字，如 1234.50");
      var data = {title: val("s-title"), amount_fen: amount, date: val("s-date"),
        scope: {building: val("s-building") || null, entrance: val("s-entrance") || null}};
      if (val("s-item")) data.vote_item_id = parseInt(val("s-item"), 10);
      var sp = await send("POST", base() + "/spending", data);
      $("#s-title").value = $("#s-amount").value = $("#s-item").value = "";
      await showAll();
      $("#spendings").insertAdjacentHTML("afterbegin", '<p class="ok">已记录“' + esc(sp.title) + "”，由 " + esc(sp.scope_text) +
        " 的 " + esc(sp.shares.length) + " 户按面积分摊 " + esc(G.yuan(sp.amount_fen)) + "。</p>");
    });
    on("save-rate", async function () {
      var rate = G.fen(val("rate-yuan"));
      if (rate === null) fail("每平方米金额请写成以元为单位、最多两位小数的数字，如 30.00");
      var data = {rate_fen_per_m2: rate, building: val("rate-building") || null, effective_from: val("rate-from"), basis: val("rate-basis")};
      if (val("rate-item")) data.vote_item_id = parseInt(val("rate-item"), 10);
      data.notice = $("#rate-notice").checked;
      var saved = await send("POST", base() + "/rates", data);
      $("#rate-yuan").value = $("#rate-basis").value = $("#rate-item").value = "";
      await showAll();
      $("#rate-done").hidden = !saved.notice;
      if (saved.notice) $("#rate-done").innerHTML = '已在公告栏发布维修资金通知：<a href="' + esc(saved.notice.url) + '">' + esc(saved.notice.url) + "</a>";
    });
    on("import", async function () {
      var file = $("#import-file").files[0];
      if (!file) fail("请先选择文件");
      var form = new FormData();
      form.append("file", file);
      $("#import-result").innerHTML = "";
      try {
        var r = await call("POST", base() + "/imports", form);
        $("#import-result").innerHTML = '<p class="ok">已导入 ' + esc(r.entries) + " 笔，共 " + esc(G.yuan(r.amount_fen)) + "。</p>";
      } catch (e) {
        var rows = e.data && Array.isArray(e.data.errors) ? e.data.errors : [];
        if (rows.length) {
          $("#import-result").innerHTML = fundTable(["行", "列", "问题"], rows.map(function (x) {
            return [esc(x.row == null ? "" : x.row), esc(x.column || ""), esc(x.message)];
          }));
        }
        throw e;
      }
      await showAll();
    });
    function name(what) { return ($("#compound").selectedOptions[0] || {}).textContent + "-" + what; }
    on("accounts-csv", function () { return G.download(base() + "/accounts?format=csv", name("维修资金分户账.csv")); });
    on("accounts-xlsx", function () { return G.download(base() + "/accounts?format=xlsx", name("维修资金分户账.xlsx")); });
    function statement(format) {
      var year = val("statement-year");
      if (!/^\d{4}$/.test(year)) fail("请填写四位数的年份");
      return G.download(base() + "/statement?year=" + year + "&format=" + format, name(year + "年维修资金公示." + format));
    }
    on("statement-pdf", function () { return statement("pdf"); });
    on("statement-xlsx", function () { return statement("xlsx"); });
  };

  /* ---- projects desk (projects/) ---- */
  /* Construction problems as a board (#pd-problems): listed from ``path``, their photos fetched behind the staff
     token and shown as blob URLs, answered and closed there — for the committee and for the contractor's contact. */
  async function showProblemPhotos(container) {
    var imgs = container.querySelectorAll("img[data-src]");
    for (var i = 0; i < imgs.length; i++) {
      var r = await G.api("GET", imgs[i].dataset.src, undefined, {staff: true, raw: true});
      imgs[i].src = URL.createObjectURL(await r.blob());
      imgs[i].removeAttribute("data-src");
    }
  }
  async function showProblemBoard(path) {
    var list = await call("GET", path);
    $("#pd-problems").innerHTML = list.length ? list.map(function (p) {
      var id = "pr-" + p.id, open = p.status !== "closed";
      return '<div class="card item problem" id="' + id + '"><h3>' + esc(p.category_name) + " · " + esc(p.status_name) + "</h3>" +
        "<p>" + (p.building ? "楼栋 " + esc(p.building) + "，" : "") + "反映于 " + esc(G.when(p.created_at)) + "</p>" +
        "<p>" + esc(p.text) + "</p>" + p.photos.map(function (ph, n) {
          return '<img class="problem-photo" width="120" data-src="' + esc(ph.url) + '" alt="问题照片' + (n + 1) + '">';
        }).join("") + (p.reply ? '<p class="reply">答复：' + esc(p.reply) + "</p>" : "") +
        (open ? '<label for="' + id + '-reply">答复居民</label><textarea id="' + id + '-reply" rows="2" maxlength="2000"></textarea>' +
          '<button type="button" class="button" data-answer="' + esc(p.id) + '">答复</button> ' +
          '<button type="button" class="button" data-close="' + esc(p.id) + '">关闭</button>' : "") + "</div>";
    }).join("") : "<p>还没有居民反映施工问题。</p>";
    await showProblemPhotos($("#pd-problems"));
  }
  function wireProblemBoard(reload) {
    $("#pd-problems").addEventListener("click", function (ev) {
      var b = ev.target.closest("button[data-answer], button[data-close]");
      if (!b) return;
      var pid = b.dataset.answer || b.dataset.close, reply = val("pr-" + pid + "-reply");
      G.clearError();
      b.disabled = true;
      (async function () {
        if (b.dataset.answer) {
          if (!reply) fail("请填写答复");
          await send("POST", "/api/v1/problems/" + pid + "/reply", {reply: reply});
        } else {
          await send("POST", "/api/v1/problems/" + pid + "/close", reply ? {reply: reply} : {});
        }
        await reload();
      })().catch(function (e) { G.showError(e.message, b); b.disabled = false; });
    });
  }
  G.pages.contractor_desk = function () {
    function reload() { return showProblemBoard("/api/v1/contractor/problems?per_page=100"); }
    G.staffDesk(reload);
    wireProblemBoard(reload);
  };


  /* The compound's renovation projects: each step (done with its date, or due), the funding to the fen; then the
     construction problems residents reported, with their photos (fetched behind the staff token, shown as blob
     URLs), answered and closed here. Names and states come from the API. */
  G.pages.projects_desk = function () {
    async function showProjects(cid) {
      var all = await call("GET", "/api/v1/projects?per_page=100");
      var mine = all.filter(function (p) { return p.compounds.some(function (c) { return String(c.id) === String(cid); }); });
      if (!mine.length) { $("#pd-projects").innerHTML = "<p>这个小区还没有改造项目。</p>"; return; }
      var parts = await Promise.all(mine.map(function (p) {
        return Promise.all([call("GET", "/api/v1/projects/" + p.id), call("GET", "/api/v1/projects/" + p.id + "/funding"),
          call("GET", "/api/v1/projects/" + p.id + "/contractor")]);
      }));
      $("#pd-projects").innerHTML = parts.map(function (pair) {
        var p = pair[0], f = pair[1];
        var steps = table(["步骤", "主管部门", "期限", "办结"], p.steps.map(function (s) {
          return cells([["步骤", esc(s.step_name)], ["主管部门", esc(s.department_name)],
            ["期限", esc(s.due_on || "—") + (s.overdue ? ' <span class="status rejected">逾期</span>' : "")],
            ["办结", s.completed_on ? esc(s.completed_on) : "—"]]);
        }));
        var money = f.sources.length ? table(["来源", "计划", "到位", "缺口"], f.sources.map(function (s) {
          return cells([["来源", esc(s.source_name) + (s.party ? "（" + esc(s.party) + "）" : "")], ["计划", esc(G.yuan(s.planned_fen))],
            ["到位", esc(G.yuan(s.arrived_fen))], ["缺口", esc(G.yuan(s.gap_fen))]]);
        })) + "<p>合计：计划 " + esc(G.yuan(f.planned_fen)) + "，到位 " + esc(G.yuan(f.arrived_fen)) + "，缺口 " + esc(G.yuan(f.gap_fen)) + "</p>"
          : "<p>还没有登记资金来源。</p>";
        money += f.sources.filter(function (s) { return s.source !== "residents"; }).map(function (s) { return fundingHtml(p, s); }).join("");
        var c = pair[2], cid = "pc-" + p.id;
        var builder = "<h4>施工单位联系人</h4><p>" + (c.username ? esc(c.contact || c.username) + "（账号 " + esc(c.username) + "），可查看、答复和关闭本项目的问题反映" : "尚未指定") + "</p>" +
          '<label for="' + cid + '-user">施工单位的企业账号</label><input id="' + cid + '-user" type="text" maxlength="64">' +
          '<label for="' + cid + '-contact">联系人和电话</label><input id="' + cid + '-contact" type="text" maxlength="200">' +
          '<button type="button" class="button" data-contractor="' + esc(p.id) + '">指定联系人</button>';
        return '<div class="project" data-project="' + esc(p.id) + '"><h3>' + esc(p.title) + "</h3><p>计划投资 " +
          esc(G.yuan(p.planned_investment_fen)) + "</p><h4>进度</h4>" + steps + "<h4>资金</h4>" + money + builder + "</div>";
      }).join("");
    }
    /* One source's money, append-only: its arrivals (a wrong one reversed with a reason, never edited), money that
       arrived, and its planned amount revised with a reason (the earlier figures listed). Residents' co-funding is
       corrected in its campaign. */
    function fundingHtml(p, s) {
      var id = "pf-" + s.id, at = ' data-project="' + esc(p.id) + '" data-funding="' + esc(s.id) + '"';
      var rows = s.arrivals.map(function (a) {
        var action = a.reversible ? '<label for="' + id + "-why-" + a.id + '">冲正原因</label><input id="' + id +
          "-why-" + a.id + '" type="text" maxlength="255"><button type="button" class="button narrow"' + at + ' data-reverse="' +
          esc(a.id) + '">冲正</button>' : (a.reversed ? "已冲正" : "—");
        return cells([["类别", esc(a.kind_name)], ["金额", esc(G.yuan(a.signed_fen))],
          ["日期", esc(a.arrived_on)], ["文号或原因", esc(a.reason || a.document_no || "")], ["操作", action]]);
      });
      var history = s.revisions.map(function (r) {
        return "<li>" + esc(G.yuan(r.planned_before_fen)) + " → " + esc(G.yuan(r.planned_fen)) + "：" + esc(r.reason) + "</li>";
      }).join("");
      return '<div class="funding"><h4>' + esc(s.source_name) + (s.party ? "（" + esc(s.party) + "）" : "") + " 的到位记录</h4>" +
        (rows.length ? table(["类别", "金额", "日期", "文号或原因", "操作"], rows) : "<p>还没有到位记录。</p>") +
        '<fieldset><legend>登记到位资金</legend><label for="' + id + '-amount">金额（元）</label><input id="' + id +
        '-amount" type="text" inputmode="decimal"><label for="' + id + '-date">到位日期</label><input id="' + id +
        '-date" type="date"><label for="' + id + '-doc">文号</label><input id="' + id + '-doc" type="text" maxlength="100">' +
        '<button type="button" class="button"' + at + ' data-arrive="1">登记到位</button></fieldset>' +
        '<fieldset><legend>修改计划金额</legend><p>现为 ' + esc(G.yuan(s.planned_fen)) + "</p>" +
        (history ? '<ul class="revisions">' + history + "</ul>" : "") + '<label for="' + id + '-planned">新的计划金额（元）</label><input id="' +
        id + '-planned" type="text" inputmode="decimal"><label for="' + id + '-reason">修改原因</label><input id="' + id +
        '-reason" type="text" maxlength="255"><button type="button" class="button"' + at + ' data-revise="' + esc(s.planned_fen) +
        '">修改计划</button></fieldset></div>';
    }
    async function fundingAction(b) {
      var pid = b.dataset.project, fid = b.dataset.funding, id = "pf-" + fid;
      var base = "/api/v1/projects/" + pid + "/funding/" + fid;
      if (b.dataset.reverse) {
        var why = val(id + "-why-" + b.dataset.reverse);
        if (!why) fail("请填写冲正原因");
        return send("POST", base + "/arrivals", {kind: "reversal", reverses: Number(b.dataset.reverse), reason: why});
      }
      if (b.dataset.arrive) {
        if (!val(id + "-date")) fail("请填写到位日期");
        return send("POST", base + "/arrivals", {amount_fen: amountFen(id + "-amount", true), arrived_on: val(id + "-date"),
          document_no: val(id + "-doc")});
      }
      var planned = G.fen(val(id + "-planned"));
      if (planned === null) fail("金额请以元为单位填写，最多两位小数，如 1234.50");
      if (!val(id + "-reason")) fail("请填写修改原因");
      return send("PATCH", base, {planned_before_fen: Number(b.dataset.revise), planned_fen: planned, reason: val(id + "-reason")});
    }
    function showProblems(cid) { return showProblemBoard("/api/v1/compounds/" + cid + "/problems?per_page=100"); }
    async function showAll(cid) { await Promise.all([showProjects(cid), showProblems(cid)]); }
    G.staffDesk(async function () { await pickCompound(showAll); });
    $("#pd-projects").addEventListener("click", function (ev) {
      var money = ev.target.closest("button[data-funding]");
      if (money) {
        G.clearError();
        money.disabled = true;
        fundingAction(money).then(function () { return showProjects(val("compound")); })
          .catch(function (e) { G.showError(e.message, money); money.disabled = false; });
        return;
      }
      var b = ev.target.closest("button[data-contractor]");
      if (!b) return;
      var pid = b.dataset.contractor;
      G.clearError();
      b.disabled = true;
      (async function () {
        var username = val("pc-" + pid + "-user");
        if (!username) fail("请填写施工单位的企业账号");
        await send("PUT", "/api/v1/projects/" + pid + "/contractor", {username: username, contact: val("pc-" + pid + "-contact")});
        await showProjects(val("compound"));
      })().catch(function (e) { G.showError(e.message, b); b.disabled = false; });
    });
    wireProblemBoard(function () { return showProblems(val("compound")); });
  };

  /* ---- department desk (projects/): the department's own steps, completed with their date and document ---- */
  G.pages.department_desk = function () {
    var steps = [], chosen = null;
    async function showSteps() {
      var filter = val("dp-filter");
      steps = await call("GET", "/api/v1/departments/steps" + (filter ? "?" + filter + "=1" : ""));
      $("#dp-steps").innerHTML = steps.length ? table(["项目", "步骤", "期限", "状态", "办理"], steps.map(function (s, n) {
        var state = s.completed_on ? "已办结（" + esc(s.completed_on) + "）" : s.overdue ? '<strong class="warn">已逾期</strong>' : "未办结";
        return cells([["项目", esc(s.project.title)], ["步骤", esc(s.step_name)], ["期限", esc(s.due_on || "—")], ["状态", state],
          ["办理", !s.completed_on && s.ready ? '<button type="button" class="button narrow" data-step="' + n + '">办结</button>' :
            (s.completed_on ? "—" : "等上一步办结")]]);
      })) : "<p>没有需要显示的步骤。</p>";
    }
    G.staffDesk(async function () {
      $("#dp-date").value = G.beijingInput(new Date()).slice(0, 10);
      await showSteps();
    });
    $("#dp-filter").addEventListener("change", function () { showSteps().catch(function (e) { G.showError(e.message); }); });
    $("#dp-steps").addEventListener("click", function (ev) {
      var b = ev.target.closest("button[data-step]");
      if (!b) return;
      chosen = steps[Number(b.dataset.step)];
      $("#dp-form-title").textContent = "办结：" + chosen.project.title + " · " + chosen.step_name;
      $("#dp-plan").hidden = chosen.step !== "in_plan";
      $("#dp-form").hidden = false;
      $("#dp-document").focus();
    });
    onSubmit("dp-form", async function () {
      if (!chosen) fail("请先在上面的列表里选一个步骤");
      var data = {completed_on: val("dp-date"), document_no: val("dp-document") || null, note: val("dp-note")};
      if (chosen.step === "in_plan") { data.plan_level = val("dp-level"); data.plan_year = parseInt(val("dp-year"), 10) || null; }
      await send("POST", "/api/v1/projects/" + chosen.project.id + "/steps/" + chosen.step + "/complete", data);
      $("#dp-form").hidden = true; $("#dp-document").value = $("#dp-note").value = "";
      chosen = null;
      await showSteps();
    });
  };

  if (G.pages[body.dataset.page]) G.pages[body.dataset.page]();
})();
