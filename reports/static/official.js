/* The officials' dashboard (/m/official): the roll-up of the official's region, drilled down from their root to single
   compounds, sorted by any column, each figure opening the compounds behind it, the charts and the exports as the API
   gives them. Built on m.js (Gongjian): staff sign-in, API calls, downloads, yuan formatting. The page computes no
   figure: every name and number comes from /api/v1/reports/rollup. */
(function () {
  "use strict";
  var G = window.Gongjian, esc = G.esc, on = G.on, val = G.val;
  var $ = function (s) { return document.querySelector(s); };
  var PER_PAGE = 50;
  var PERCENT = new Intl.NumberFormat("zh-CN", {style: "percent", minimumFractionDigits: 2, maximumFractionDigits: 2});
  var state = {orgId: null, result: null, sortKey: null, descending: true, behind: null};
  var columns = Array.prototype.map.call(document.querySelectorAll("#o-table thead .o-sort"), function (b) {
    return {key: b.dataset.key, kind: b.dataset.kind, figure: b.dataset.figure, header: b.textContent};
  }).filter(function (c) { return c.key !== "name"; });

  function query(extra) {
    var q = new URLSearchParams();
    if (state.orgId !== null) q.set("org_id", state.orgId);
    [["start", "o-start"], ["end", "o-end"], ["matter", "o-matter"], ["status", "o-status"]].forEach(function (p) {
      if (val(p[1])) q.set(p[0], val(p[1]));
    });
    Object.keys(extra || {}).forEach(function (k) { q.set(k, extra[k]); });
    return q.toString();
  }
  /* A value as the API sent it, written for people: yuan for fen, a percent for a ratio, m² strings as they are. */
  function shown(value, kind) {
    if (value === null || value === undefined) return "—";
    if (kind === "yuan") return G.yuan(value);
    if (kind === "percent") return PERCENT.format(value);
    return String(value);
  }
  function sortValue(row, key) {
    var v = row[key];
    if (key === "name") return v;
    return v === null || v === undefined ? -1 : Number(v);
  }
  function sortedRows() {
    var rows = state.result.rows.slice(), key = state.sortKey, sign = state.descending ? -1 : 1;
    if (!key) return rows;
    return rows.sort(function (a, b) {
      var x = sortValue(a, key), y = sortValue(b, key);
      if (key === "name") return sign * String(x).localeCompare(String(y), "zh-CN");
      return x === y ? 0 : (x < y ? -sign : sign);
    });
  }
  function figureLink(row, column) {
    var text = esc(shown(row[column.key], column.kind));
    var count = row[column.figure];
    if (row.kind !== "org" || !count || count === "0.00") return text;  // a compound's row is that compound
    return '<button type="button" class="link o-figure" data-figure="' + esc(column.figure) + '" data-org="' +
      (row.kind === "org" ? row.id : "") + '" data-label="' + esc(row.name + " · " + column.header) + '">' + text + "</button>";
  }
  function renderTable() {
    var rows = sortedRows();
    $("#o-rows").innerHTML = rows.length ? rows.map(function (row) {
      var name = row.kind === "org"
        ? '<button type="button" class="link o-drill" data-org="' + row.id + '">' + esc(row.name) + "</button>"
        : esc(row.name);
      return '<tr><th scope="row" data-label="' + esc(row.level_name) + '">' + name + " <small>" + esc(row.level_name) + "</small></th>" +
        columns.map(function (c) {
          return '<td class="num" data-label="' + esc(c.header) + '">' + figureLink(row, c) + "</td>";
        }).join("") + "</tr>";
    }).join("") : '<tr><td>没有下级数据</td></tr>';
    var total = state.result.total, org = state.result.org;
    var totalRow = Object.assign({kind: "org", id: org ? org.id : "", name: "合计", level_name: org ? org.name : "全部"}, total);
    $("#o-rows").insertAdjacentHTML("beforeend", '<tr class="total"><th scope="row" data-label="合计">合计</th>' +
      columns.map(function (c) {
        return '<td class="num" data-label="' + esc(c.header) + '">' + figureLink(totalRow, c) + "</td>";
      }).join("") + "</tr>");
    document.querySelectorAll("#o-table thead .o-sort").forEach(function (b) {
      var th = b.parentNode;
      if (b.dataset.key === state.sortKey) th.setAttribute("aria-sort", state.descending ? "descending" : "ascending");
      else th.removeAttribute("aria-sort");
    });
  }
  function render() {
    var r = state.result;
    $("#o-title").textContent = (r.org ? r.org.name : "全部城市") + " · 辖区汇总";
    $("#o-table-title").textContent = r.org && r.org.level === "community" ? "各小区" : "下级汇总";
    var crumbs = r.path.map(function (o, n) {
      return n === r.path.length - 1 ? '<span aria-current="page">' + esc(o.name) + "</span>"
        : '<button type="button" class="link o-drill" data-org="' + o.id + '">' + esc(o.name) + "</button> ›";
    });
    $("#o-path").innerHTML = crumbs.join(" ");
    renderTable();
    $("#o-charts").innerHTML = r.charts.map(function (c) {
      return '<figure><figcaption>' + esc(c.title) + "</figcaption>" + c.svg + "</figure>";  // SVG rendered by the server
    }).join("") || "<p>没有下级数据</p>";
  }
  async function load(orgId) {
    G.clearError();
    state.orgId = orgId;
    $("#o-behind").hidden = true;
    state.result = await G.staffApi("GET", "/api/v1/reports/rollup?" + query());
    render();
    await showDepartments(orgId);
  }
  /* Open and overdue project steps per department (projects/): officials and admins only. */
  async function showDepartments(orgId) {
    var steps;
    try {
      steps = await G.staffApi("GET", "/api/v1/reports/overdue-steps" + (orgId ? "?org_id=" + orgId : ""));
    } catch (e) {  // a committee's account reaches the roll-up of its community, not the departments' steps
      if (e.status === 403) { $("#o-departments-card").hidden = true; return; }
      throw e;
    }
    $("#o-departments").innerHTML = steps.departments.length ? '<table class="list stack"><thead><tr><th scope="col">部门</th>' +
      '<th scope="col">未办结</th><th scope="col">逾期</th></tr></thead><tbody>' + steps.departments.map(function (d) {
        return '<tr><th scope="row" data-label="部门">' + esc(d.department_name) + '</th><td class="num" data-label="未办结">' +
          esc(d.open) + '</td><td class="num" data-label="逾期">' + (d.overdue ? '<strong class="warn">' + esc(d.overdue) + "</strong>" : "0") +
          "</td></tr>";
      }).join("") + "</tbody></table>" : "<p>辖区内还没有改造项目的步骤。</p>";
  }
  async function showBehind(figure, orgId, label, page) {
    var extra = {figure: figure, page: page, per_page: PER_PAGE};
    if (orgId) extra.org_id = orgId;
    var q = query(extra);
    var r = await G.api("GET", "/api/v1/reports/rollup/compounds?" + q, undefined, {staff: true, raw: true});
    var rows = await r.json(), total = Number(r.headers.get("X-Total-Count"));
    state.behind = {figure: figure, orgId: orgId, label: label, page: page};
    $("#o-behind-title").textContent = label;
    $("#o-behind-count").textContent = "共 " + total + " 个小区";
    var column = columns.filter(function (c) { return c.figure === figure; })[0];
    var list = rows.map(function (row) {
      var value = column && column.figure === column.key ? shown(row[figure], column.kind) : String(row[figure]);
      return "<li>" + esc(row.name) + "：" + esc(value) + "</li>";
    }).join("");
    if (page === 1) $("#o-behind-list").innerHTML = list; else $("#o-behind-list").insertAdjacentHTML("beforeend", list);
    $("#o-behind-more").hidden = page * PER_PAGE >= total;
    $("#o-behind").hidden = false;
    $("#o-behind-title").focus();
  }

  $("#o-behind-title").tabIndex = -1;
  document.addEventListener("click", function (ev) {
    var drill = ev.target.closest(".o-drill"), sort = ev.target.closest(".o-sort"), fig = ev.target.closest(".o-figure");
    var task = null;
    if (drill) task = load(Number(drill.dataset.org));
    else if (sort) {
      state.descending = state.sortKey === sort.dataset.key ? !state.descending : sort.dataset.key !== "name";
      state.sortKey = sort.dataset.key;
      $("#o-sort").value = state.sortKey;
      $("#o-order").value = state.descending ? "desc" : "asc";
      renderTable();
    } else if (fig) task = showBehind(fig.dataset.figure, fig.dataset.org ? Number(fig.dataset.org) : null, fig.dataset.label, 1);
    if (task) task.catch(function (e) { G.showError(e.message); });
  });
  function sortChosen() {
    state.sortKey = val("o-sort") || null;
    state.descending = val("o-order") !== "asc";
    if (state.result) renderTable();
  }
  $("#o-sort").addEventListener("change", sortChosen);
  $("#o-order").addEventListener("change", sortChosen);
  on("o-behind-more", function () {
    var b = state.behind;
    return showBehind(b.figure, b.orgId, b.label, b.page + 1);
  });
  on("o-behind-close", function () { $("#o-behind").hidden = true; });
  $("#o-filters").addEventListener("submit", function (ev) {
    ev.preventDefault();
    load(state.orgId).catch(function (e) { G.showError(e.message); });
  });
  function exportName(ext) {
    var org = state.result && state.result.org;
    return "汇总统计-" + (org ? org.name : "全部") + "." + ext;
  }
  on("o-csv", function () { return G.download("/api/v1/reports/rollup?" + query({format: "csv"}), exportName("csv")); });
  on("o-xlsx", function () { return G.download("/api/v1/reports/rollup?" + query({format: "xlsx"}), exportName("xlsx")); });

  G.staffDesk(function () { return load(null); });
})();
