// The page's messages in its language, from the JSON block the server renders (service/web/messages.json).
const block = document.getElementById("messages");
const messages = block ? JSON.parse(block.textContent) : {};

/** The message `key`, with {name} placeholders filled from `values`. */
export function t(key, values = {}) {
  const text = messages[key] ?? messages["error.http_error"] ?? key;
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in values ? String(values[name]) : whole));
}

/** A user-facing sentence for an API error body or a failed fetch, in the page's language. */
export function errorText(body) {
  const code = body?.error?.code;
  const title = code && `error.${code}` in messages ? t(`error.${code}`) : t("error.http_error");
  const detail = body?.error?.message;
  return detail ? `${title} (${t("error.detail")} ${detail})` : title;
}

/** An alert element (role=alert) for an error body, in the page's language. */
export function alertFor(body) {
  const box = document.createElement("div");
  box.className = "alert";
  box.setAttribute("role", "alert");
  const title = document.createElement("p");
  title.className = "alert-title";
  title.textContent = errorText(body);
  box.append(title);
  if (body?.error?.code) box.dataset.errorCode = body.error.code;
  return box;
}
