// The Observatory's dashboard: signs in with Keycloak (authorisation code + PKCE S256, public
// client), then draws each chart from the spec the API answers, with vega-embed.
// Tokens live in this tab's sessionStorage only; the page itself holds no data.

const config = JSON.parse(document.getElementById("lgnet-config").textContent);
const oidc = `${config.issuer}/protocol/openid-connect`;
const here = location.origin + location.pathname; // the redirect URI: this page
const TOKENS = "lgnet.dashboard.tokens";
const PENDING = "lgnet.dashboard.pending";
const $ = (id) => document.getElementById(id);

// --- sign-in ------------------------------------------------------------------------------

function base64url(bytes) {
  return btoa(String.fromCharCode(...new Uint8Array(bytes)))
    .replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

const random = (size) => base64url(crypto.getRandomValues(new Uint8Array(size)));

async function signIn() {
  const verifier = random(48);
  const state = random(16);
  sessionStorage.setItem(PENDING, JSON.stringify({ verifier, state }));
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier));
  const url = new URL(`${oidc}/auth`);
  url.search = new URLSearchParams({
    client_id: config.clientId,
    redirect_uri: here,
    response_type: "code",
    response_mode: "fragment", // the code never reaches a server log or the API
    scope: "openid",
    state,
    code_challenge: base64url(digest),
    code_challenge_method: "S256",
  });
  location.assign(url);
}

async function tokenRequest(form) {
  const response = await fetch(`${oidc}/token`, {
    method: "POST",
    body: new URLSearchParams({ client_id: config.clientId, ...form }),
  });
  if (!response.ok) return null;
  const answer = await response.json();
  const tokens = {
    access: answer.access_token,
    refresh: answer.refresh_token,
    id: answer.id_token,
    expires: Date.now() + answer.expires_in * 1000,
  };
  sessionStorage.setItem(TOKENS, JSON.stringify(tokens));
  return tokens;
}

// Back from Keycloak: the code and state are in the fragment.
async function finishSignIn() {
  const answer = new URLSearchParams(location.hash.slice(1));
  if (!answer.has("state")) return;
  history.replaceState(null, "", here);
  const pending = JSON.parse(sessionStorage.getItem(PENDING) || "null");
  sessionStorage.removeItem(PENDING);
  if (!pending || pending.state !== answer.get("state") || !answer.get("code")) {
    say("Accesso non riuscito, riprova · sign-in failed, try again", true);
    return;
  }
  await tokenRequest({
    grant_type: "authorization_code",
    code: answer.get("code"),
    redirect_uri: here,
    code_verifier: pending.verifier,
  });
}

// An access token with a minute to live, refreshed if need be; null: sign in again.
async function accessToken() {
  const tokens = JSON.parse(sessionStorage.getItem(TOKENS) || "null");
  if (!tokens) return null;
  if (tokens.expires - Date.now() > 60_000) return tokens.access;
  const renewed = tokens.refresh
    ? await tokenRequest({ grant_type: "refresh_token", refresh_token: tokens.refresh })
    : null;
  if (!renewed) sessionStorage.removeItem(TOKENS);
  return renewed && renewed.access;
}

function signOut() {
  const tokens = JSON.parse(sessionStorage.getItem(TOKENS) || "null");
  sessionStorage.removeItem(TOKENS);
  const url = new URL(`${oidc}/logout`);
  url.search = new URLSearchParams({
    client_id: config.clientId,
    post_logout_redirect_uri: here,
    ...(tokens && tokens.id ? { id_token_hint: tokens.id } : {}),
  });
  location.assign(url);
}

function claims(token) {
  const payload = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
  return JSON.parse(new TextDecoder().decode(Uint8Array.from(atob(payload), (c) => c.charCodeAt(0))));
}

// --- the API ------------------------------------------------------------------------------

class SignInNeeded extends Error {}

async function api(path) {
  const token = await accessToken();
  if (!token) throw new SignInNeeded();
  const response = await fetch(`${config.api}${path}`, {
    headers: { Authorization: `Bearer ${token}` },
  });
  if (response.status === 401) {
    sessionStorage.removeItem(TOKENS);
    throw new SignInNeeded();
  }
  if (!response.ok) {
    const problem = await response.json().catch(() => ({}));
    const why = response.status === 403
      ? "Il tuo account non può leggere l'Osservatorio · your account may not read the Observatory"
      : problem.detail || problem.title || `HTTP ${response.status}`;
    throw new Error(why);
  }
  return response;
}

// --- the page -----------------------------------------------------------------------------

function say(text, error = false) {
  $("status").textContent = text;
  $("status").classList.toggle("error", error);
}

function monthOf(date) {
  return `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, "0")}`;
}

function chosen() {
  const now = new Date();
  const custom = $("period").value === "months";
  const to = custom ? $("to-month").value : monthOf(now);
  const from = custom ? $("from-month").value : monthOf(new Date(now.getFullYear(), now.getMonth() - 11, 1));
  return { indicator: $("indicator").value, from_month: from, to_month: to };
}

function layOut() {
  for (const indicator of config.indicators) {
    $("indicator").append(new Option(indicator.label, indicator.code));
  }
  for (const node of document.querySelectorAll(".threshold")) node.textContent = config.threshold;
  for (const chart of config.charts) {
    const section = document.createElement("section");
    section.className = "chart";
    section.id = `section-${chart}`;
    section.innerHTML = `<div class="view" id="chart-${chart}" data-chart="${chart}"></div>
      <p class="downloads">Scarica · <span lang="en">download</span>:
        <a href="#" data-format="svg">SVG</a><a href="#" data-format="png">PNG</a></p>`;
    for (const link of section.querySelectorAll("a")) {
      link.addEventListener("click", (event) => {
        event.preventDefault();
        download(chart, link.dataset.format).catch(failed);
      });
    }
    $("charts").append(section);
  }
  const thisMonth = monthOf(new Date());
  $("to-month").value = thisMonth;
  $("from-month").value = chosen().from_month;
  $("period").addEventListener("change", () => {
    const custom = $("period").value === "months";
    $("from-month").disabled = $("to-month").disabled = !custom;
  });
  $("filters").addEventListener("submit", (event) => {
    event.preventDefault();
    draw().catch(failed);
  });
}

let drawing = 0; // the latest draw's number: an older one still loading draws nothing

async function draw() {
  const mine = ++drawing;
  const query = new URLSearchParams(chosen());
  // only the charts the indicator's breakdowns allow
  const offered = config.indicators.find((i) => i.code === query.get("indicator")).charts;
  for (const chart of config.charts) $(`section-${chart}`).hidden = !offered.includes(chart);
  say("Caricamento… · loading…");
  await Promise.all(offered.map(async (chart) => {
    const spec = await (await api(`/charts/${chart}?${query}`)).json();
    if (mine === drawing) await vegaEmbed(`#chart-${chart}`, spec, { actions: false, renderer: "svg" });
  }));
  if (mine === drawing) say("");
}

async function download(chart, format) {
  const query = new URLSearchParams(chosen());
  const blob = await (await api(`/charts/${chart}.${format}?${query}`)).blob();
  const link = document.createElement("a");
  link.href = URL.createObjectURL(blob);
  link.download = `${chart}-${query.get("indicator")}-${query.get("from_month")}-${query.get("to_month")}.${format}`;
  link.click();
  setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
}

function failed(error) {
  if (error instanceof SignInNeeded) {
    $("board").hidden = true;
    $("sign-in").hidden = false;
    return;
  }
  say(error.message, true);
}

async function start() {
  $("sign-in-button").addEventListener("click", () => signIn().catch(failed));
  $("sign-out").addEventListener("click", signOut);
  await finishSignIn();
  const token = await accessToken();
  if (!token) {
    $("sign-in").hidden = false;
    return;
  }
  const who = claims(token);
  $("who").textContent = `${who.preferred_username} · ${(who.organization || []).join(", ")}`;
  $("sign-out").hidden = false;
  $("board").hidden = false;
  layOut();
  await draw();
}

start().catch(failed);
