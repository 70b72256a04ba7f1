/* Leadstream live page: polls for new leads, draws the charts, sends feedback clicks.
   Data from the server is only ever inserted with textContent or setAttribute, never as HTML. */
(function () {
  "use strict";

  const SVG_NS = "http://www.w3.org/2000/svg";
  const POLL_MS = 2000;
  const STATS_MS = 10000;
  const MAX_CARDS = 200;
  const NEW_MARK_MS = 6000;

  const body = document.body;
  if (!body.classList.contains("live")) {
    return;
  }
  const config = {
    feedUrl: body.dataset.feedUrl,
    statsUrl: body.dataset.statsUrl,
    loginUrl: body.dataset.loginUrl,
    indexUrl: body.dataset.indexUrl,
    campaign: body.dataset.campaign || "",
    canLabel: body.dataset.canLabel === "1",
    csrf: document.querySelector('meta[name="csrf-token"]').getAttribute("content"),
  };
  const state = { cursor: body.dataset.cursor || "", unit: "minute", stopped: false };
  const list = document.getElementById("lead-list");

  /* ---------- small DOM builders ---------- */

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function svg(tag, attributes, text) {
    const node = document.createElementNS(SVG_NS, tag);
    Object.entries(attributes || {}).forEach(([name, value]) => node.setAttribute(name, String(value)));
    if (text !== undefined) node.textContent = String(text);
    return node;
  }

  function number(value) {
    return Number(value || 0).toLocaleString("en-US");
  }

  function plural(count, noun) {
    return number(count) + " " + noun + (count === 1 ? "" : "s");
  }

  /* ---------- lead cards (same structure as templates/leads/_card.html) ---------- */

  function cardHead(card) {
    const head = el("header", "lead-head");
    const author = el("div", "author");
    author.append(el("span", "author-name", card.author_name || "Unknown author"));
    if (card.author_username) author.append(el("span", "author-handle", "@" + card.author_username));
    if (card.author_followers !== null && card.author_followers !== undefined) {
      author.append(el("span", "followers", number(card.author_followers) + " followers"));
    }
    const score = el("div", "score score-" + card.score_level);
    score.title = "Score " + card.score + " (model threshold " + card.threshold + ")";
    score.append(el("span", "score-value", Number(card.score).toFixed(2)));
    const bar = svg("svg", { class: "score-bar", viewBox: "0 0 100 6", preserveAspectRatio: "none", "aria-hidden": "true" });
    bar.append(svg("rect", { class: "score-track", width: 100, height: 6, rx: 3 }));
    bar.append(svg("rect", { class: "score-fill", width: card.score_percent, height: 6, rx: 3 }));
    score.append(bar);
    head.append(author, score);
    return head;
  }

  function cardFeedback(card) {
    const form = el("form", "feedback");
    form.method = "post";
    form.action = card.feedback_url;
    const token = el("input");
    token.type = "hidden";
    token.name = "csrf_token";
    token.value = config.csrf;
    form.append(token);
    if (config.campaign) {
      const campaign = el("input");
      campaign.type = "hidden";
      campaign.name = "campaign";
      campaign.value = config.campaign;
      form.append(campaign);
    }
    [["relevant", "Relevant"], ["irrelevant", "Irrelevant"]].forEach(([value, title]) => {
      const button = el("button", "button button-" + value, title);
      button.type = "submit";
      button.name = "label";
      button.value = value;
      form.append(button);
    });
    markChosen(form, card.my_label);
    return form;
  }

  function cardFoot(card) {
    const foot = el("footer", "lead-foot");
    const meta = el("div", "lead-meta");
    const time = el("time", "", card.tweeted_at_label);
    time.dateTime = card.tweeted_at;
    meta.append(time);
    if (card.place) meta.append(el("span", "place", card.place));
    meta.append(el("span", "model", card.model_name + " v" + card.model_version));
    const link = el("a", "open-link", "Open on X");
    link.href = card.url;
    link.target = "_blank";
    link.rel = "noopener noreferrer";
    meta.append(link);
    foot.append(meta);
    if (config.canLabel) foot.append(cardFeedback(card));
    return foot;
  }

  function buildCard(card) {
    const item = el("li", "lead");
    item.id = "lead-" + card.tweet_id;
    item.dataset.tweetId = card.tweet_id;
    const article = el("article");
    article.append(cardHead(card));
    const text = el("p", "lead-text", card.text);
    if (card.lang) text.lang = card.lang;
    article.append(text);
    if (card.reasons.length) {
      const reasons = el("ul", "chips reasons");
      reasons.setAttribute("aria-label", "Why this is a lead");
      card.reasons.forEach((reason) => reasons.append(el("li", "chip chip-reason", reason)));
      article.append(reasons);
    }
    const tags = el("div", "tags");
    card.campaigns.forEach((name) => tags.append(el("span", "tag tag-campaign", name)));
    card.matched_keywords.forEach((word) => tags.append(el("span", "tag tag-keyword", word)));
    article.append(tags, cardFoot(card));
    item.append(article);
    return item;
  }

  function addLeads(cards) {
    // Cards come newest first; prepend oldest first so the newest ends on top.
    cards.slice().reverse().forEach((card) => {
      const old = document.getElementById("lead-" + card.tweet_id);
      if (old) old.remove();
      const item = buildCard(card);
      item.classList.add("is-new");
      list.prepend(item);
      setTimeout(() => item.classList.remove("is-new"), NEW_MARK_MS);
    });
    while (list.children.length > MAX_CARDS) list.lastElementChild.remove();
    document.getElementById("empty-state").hidden = list.children.length > 0;
  }

  /* ---------- status and notices ---------- */

  function setStatus(live) {
    const status = document.getElementById("live-status");
    status.hidden = false;
    status.textContent = live ? "Live" : "Reconnecting…";
    status.classList.toggle("is-offline", !live);
  }

  function showNotice(message, kind) {
    const notice = document.getElementById("notice");
    notice.replaceChildren(document.createTextNode(message));
    notice.className = "notice notice-" + (kind || "info");
    notice.hidden = false;
    return notice;
  }

  function sessionEnded() {
    state.stopped = true;
    const notice = showNotice("Your session has ended. ", "error");
    const link = el("a", "", "Sign in again");
    link.href = config.loginUrl;
    notice.append(link);
  }

  async function getJson(url) {
    const response = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
    if (response.status === 401) {
      sessionEnded();
      return null;
    }
    if (!response.ok) throw new Error("HTTP " + response.status);
    return response.json();
  }

  /* ---------- polling ---------- */

  async function poll() {
    if (state.stopped) return;
    if (!document.hidden) {
      const params = new URLSearchParams();
      if (state.cursor) params.set("after", state.cursor);
      if (config.campaign) params.set("campaign", config.campaign);
      try {
        const answer = await getJson(config.feedUrl + "?" + params.toString());
        if (!answer) return;
        if (answer.leads.length) {
          addLeads(answer.leads);
          refreshStats();
        }
        if (answer.cursor) state.cursor = answer.cursor;
        setStatus(true);
      } catch (error) {
        setStatus(false);
      }
    }
    setTimeout(poll, POLL_MS);
  }

  /* ---------- feedback buttons ---------- */

  function markChosen(form, label) {
    form.querySelectorAll("button[name=label]").forEach((button) => {
      const chosen = button.value === label;
      button.classList.toggle("is-chosen", chosen);
      button.setAttribute("aria-pressed", chosen ? "true" : "false");
    });
  }

  async function sendFeedback(event) {
    const submit = window.LeadstreamFeedback.labelSubmit(event);
    if (!submit) return;
    submit.form.classList.add("is-busy");
    try {
      const answer = await window.LeadstreamFeedback.postLabel(submit.form, submit.label, config.csrf);
      markChosen(submit.form, answer.label);
      refreshStats();
    } catch (error) {
      if (error.sessionEnded) return sessionEnded();
      showNotice(error.message, "error");
    } finally {
      submit.form.classList.remove("is-busy");
    }
  }

  /* ---------- charts ---------- */

  function emptyChart(container, message) {
    container.replaceChildren(el("p", "chart-empty", message));
  }

  function drawColumns(container, points) {
    const width = 360, height = 150, left = 32, right = 6, top = 8, bottom = 22;
    const max = Math.max(1, ...points.map((point) => point.value));
    const chart = svg("svg", { class: "chart-svg", viewBox: `0 0 ${width} ${height}`, role: "img" });
    chart.append(svg("title", {}, "Leads per " + state.unit + ", " + points.length + " buckets"));
    const plotHeight = height - top - bottom;
    // Gridlines at whole numbers only: 0, the top, and the middle when it is whole.
    const ticks = Number.isInteger(max / 2) ? [0, max / 2, max] : [0, max];
    ticks.forEach((tick) => {
      const y = top + plotHeight * (1 - tick / max);
      chart.append(svg("line", { class: "grid", x1: left, x2: width - right, y1: y, y2: y }));
      chart.append(svg("text", { class: "axis", x: left - 4, y: y + 3, "text-anchor": "end" }, tick));
    });
    const slot = (width - left - right) / points.length;
    points.forEach((point, index) => {
      const barHeight = (point.value / max) * plotHeight;
      const bar = svg("rect", {
        class: "bar", x: left + index * slot + slot * 0.1, y: top + plotHeight - barHeight,
        width: Math.max(1, slot * 0.8), height: barHeight, rx: 1.5,
      });
      bar.append(svg("title", {}, point.label + ": " + point.value + " leads"));
      chart.append(bar);
    });
    [0, Math.floor(points.length / 2), points.length - 1].forEach((index) => {
      const x = left + index * slot + slot / 2;
      chart.append(svg("text", { class: "axis", x: x, y: height - 6, "text-anchor": "middle" }, points[index].label));
    });
    container.replaceChildren(chart);
  }

  function drawBars(container, rows) {
    const width = 360, labelWidth = 126, rowHeight = 26;
    const valueWidth = rows.some((row) => row.note) ? 96 : 58;
    const height = rows.length * rowHeight;
    const max = Math.max(1, ...rows.map((row) => row.value));
    const chart = svg("svg", { class: "chart-svg", viewBox: `0 0 ${width} ${height}`, role: "img" });
    rows.forEach((row, index) => {
      const y = index * rowHeight;
      const barWidth = ((width - labelWidth - valueWidth) * row.value) / max;
      const label = row.label.length > 18 ? row.label.slice(0, 17) + "…" : row.label;
      chart.append(svg("text", { class: "bar-label", x: 0, y: y + 17 }, label));
      const bar = svg("rect", {
        class: "bar " + (row.className || ""), x: labelWidth, y: y + 5,
        width: Math.max(row.value ? 2 : 0, barWidth), height: rowHeight - 10, rx: 3,
      });
      bar.append(svg("title", {}, row.label + ": " + number(row.value)));
      chart.append(bar);
      const value = number(row.value) + (row.note ? " · " + row.note : "");
      chart.append(svg("text", { class: "bar-value", x: labelWidth + barWidth + 6, y: y + 17 }, value));
    });
    container.replaceChildren(chart);
  }

  function share(part, whole) {
    if (!whole) return "";
    const percent = (100 * part) / whole;
    return (percent < 10 ? percent.toFixed(1) : Math.round(percent)) + "%";
  }

  function bucketLabel(start) {
    // Bucket starts are UTC ISO strings: show HH:MM, and the day for hourly buckets.
    return state.unit === "hour" ? start.slice(5, 10) + " " + start.slice(11, 13) + "h" : start.slice(11, 16);
  }

  function drawTiles(stats) {
    const totalLabels = stats.feedback.relevant + stats.feedback.irrelevant;
    const tiles = [
      ["Leads", stats.leads_total],
      ["Tweets read", stats.funnel.tweets_in],
      ["Keyword matches", stats.funnel.keyword_matches],
      ["Labels given", totalLabels],
    ];
    document.getElementById("tiles").replaceChildren(...tiles.map(([title, value]) => {
      const tile = el("div", "tile");
      tile.append(el("span", "tile-value", number(value)), el("span", "tile-title", title));
      return tile;
    }));
  }

  function drawCollector(counters) {
    const list = document.getElementById("collector");
    if (!counters || !Object.keys(counters).length) {
      list.replaceChildren(el("p", "chart-empty", "No collector figures yet."));
      return;
    }
    const rows = [];
    Object.entries(counters).forEach(([name, value]) => {
      rows.push(el("dt", "", name.replace(/_/g, " ")));
      rows.push(el("dd", "", typeof value === "number" ? number(value) : String(value)));
    });
    list.replaceChildren(...rows);
  }

  function drawModels(models) {
    const list = document.getElementById("models");
    if (!models.length) {
      list.replaceChildren(el("li", "chart-empty", "No model has found a lead yet."));
      return;
    }
    list.replaceChildren(...models.map((model) => {
      const item = el("li");
      item.append(el("span", "model-name", model.model_name + " v" + model.model_version));
      const last = model.last_seen_at || model.last_scored_at;
      item.append(el("span", "muted", plural(model.leads, "lead") + " · last " + last.slice(0, 16).replace("T", " ") + " UTC"));
      return item;
    }));
  }

  function drawFilters(campaigns) {
    // Campaigns that found their first lead after the page loaded get a filter link too.
    const nav = document.querySelector(".filters");
    const all = el("a", "filter" + (config.campaign ? "" : " is-active"), "All");
    all.href = config.indexUrl;
    if (config.campaign && !campaigns.some((row) => row.campaign === config.campaign)) {
      campaigns = campaigns.concat([{ campaign: config.campaign, leads: 0 }]);
    }
    const links = campaigns.map((row) => {
      const link = el("a", "filter" + (row.campaign === config.campaign ? " is-active" : ""), row.campaign + " ");
      link.href = config.indexUrl + "?" + new URLSearchParams({ campaign: row.campaign }).toString();
      link.append(el("span", "count", number(row.leads)));
      return link;
    });
    nav.replaceChildren(all, ...links);
  }

  function drawStats(stats) {
    drawTiles(stats);
    drawFilters(stats.leads_per_campaign);
    const points = stats.leads_over_time.buckets.map((b) => ({ label: bucketLabel(b.start), value: b.leads }));
    drawColumns(document.getElementById("chart-timeline"), points);
    const campaigns = stats.leads_per_campaign.map((row) => ({ label: row.campaign, value: row.leads }));
    if (campaigns.length) drawBars(document.getElementById("chart-campaigns"), campaigns);
    else emptyChart(document.getElementById("chart-campaigns"), "No leads yet.");
    const funnel = stats.funnel;
    if (funnel.batches) {
      drawBars(document.getElementById("chart-funnel"), [
        { label: "Tweets read", value: funnel.tweets_in, className: "bar-muted" },
        { label: "Keyword matches", value: funnel.keyword_matches, className: "bar-mid",
          note: share(funnel.keyword_matches, funnel.tweets_in) },
        { label: "Leads", value: funnel.leads, note: share(funnel.leads, funnel.keyword_matches) },
      ]);
    } else {
      emptyChart(document.getElementById("chart-funnel"), "No scoring batches recorded yet.");
    }
    drawBars(document.getElementById("chart-feedback"), [
      { label: "Relevant", value: stats.feedback.relevant, className: "bar-relevant" },
      { label: "Irrelevant", value: stats.feedback.irrelevant, className: "bar-irrelevant" },
    ]);
    drawCollector(stats.collector);
    drawModels(stats.models);
  }

  let statsPending = null;
  function refreshStats() {
    // Several triggers in a row (poll + click) collapse into one request.
    if (statsPending) return statsPending;
    statsPending = getJson(config.statsUrl + "?unit=" + state.unit)
      .then((stats) => stats && drawStats(stats))
      .catch(() => setStatus(false))
      .finally(() => { statsPending = null; });
    return statsPending;
  }

  function chooseUnit(event) {
    const button = event.target.closest("button[data-unit]");
    if (!button) return;
    state.unit = button.dataset.unit;
    button.parentElement.querySelectorAll("button").forEach((other) => {
      other.classList.toggle("is-active", other === button);
      other.setAttribute("aria-pressed", other === button ? "true" : "false");
    });
    refreshStats();
  }

  document.addEventListener("submit", sendFeedback);
  document.querySelector(".toggle").addEventListener("click", chooseUnit);
  refreshStats();
  setInterval(() => { if (!document.hidden && !state.stopped) refreshStats(); }, STATS_MS);
  setTimeout(poll, POLL_MS);
})();
