// Live posts and comments on social pages: like counts, new and deleted comments, deleted
// posts. Frames are documented in docs/realtime-social.md; the markup for a new comment is the
// server-rendered, translated <template id="comment-template">.
import { socket } from "./socket.js";

const me = Number(document.body.dataset.userId);

function postsOnPage(postId) {
  return document.querySelectorAll(`.post[data-post-id="${Number(postId)}"]`);
}

function setText(root, selector, value) {
  for (const el of root.querySelectorAll(selector)) el.textContent = String(value);
}

function avatar(person) {
  if (person.avatar_url) {
    const img = document.createElement("img");
    img.className = "avatar avatar-sm";
    img.src = person.avatar_url;
    img.alt = person.display_name;
    return img;
  }
  const span = document.createElement("span");
  span.className = "avatar avatar-sm avatar-initials";
  span.setAttribute("role", "img");
  span.setAttribute("aria-label", person.display_name);
  span.textContent = (person.display_name || "?").charAt(0).toUpperCase();
  return span;
}

function renderComment(comment, post) {
  const template = document.getElementById("comment-template");
  const node = template.content.firstElementChild.cloneNode(true);
  const profile = template.dataset.profileUrl.replace("USERNAME", encodeURIComponent(comment.author.username));
  node.id = `comment-${comment.id}`;
  node.dataset.authorId = String(comment.author.id);
  const avatarLink = node.querySelector(".comment-avatar");
  avatarLink.href = profile;
  avatarLink.replaceChildren(avatar(comment.author));
  const author = node.querySelector(".comment-author");
  author.href = profile;
  author.textContent = comment.author.display_name;
  // `html` is the server's escaped-then-linkified text (social.text.linkify): no user markup.
  node.querySelector(".comment-text").innerHTML = comment.html;
  const photoLink = node.querySelector(".comment-photo-link");
  if (comment.photo) {
    photoLink.href = comment.photo.url;
    const img = photoLink.querySelector("img");
    img.src = comment.photo.thumbnail_url;
    img.width = comment.photo.width;
    img.height = comment.photo.height;
  } else {
    photoLink.remove();
  }
  node.querySelector("time").setAttribute("datetime", comment.created_at);
  const remove = node.querySelector(".comment-delete");
  if (comment.author.id === me || Number(post.dataset.authorId) === me) {
    const url = template.dataset.deleteUrl.replace("/0/", `/${Number(comment.id)}/`);
    remove.action = url;
    remove.setAttribute("hx-post", url);
  } else {
    remove.remove();
  }
  const report = node.querySelector(".report-link");
  if (comment.author.id === me) {
    report.remove();
  } else {
    report.href = `${report.dataset.url.replace("/0/", `/${Number(comment.id)}/`)}?next=${encodeURIComponent(location.pathname)}`;
  }
  return node;
}

// A comment can arrive twice (the htmx answer to one's own comment and the live frame): keep one.
function dedupe() {
  const seen = new Set();
  for (const el of document.querySelectorAll(".comment[id]")) {
    const key = `${el.closest(".post")?.id}/${el.id}`;
    if (seen.has(key)) el.remove(); else seen.add(key);
  }
}

socket.on("post.liked", (frame) => {
  for (const post of postsOnPage(frame.post)) {
    setText(post, "[data-like-count]", frame.count);
    if (frame.user === me) {
      for (const button of post.querySelectorAll(".like-button")) {
        button.setAttribute("aria-pressed", frame.liked ? "true" : "false");
        setText(button, ".like-heart", frame.liked ? "♥" : "♡");
      }
    }
  }
});

socket.on("comment.new", (frame) => {
  for (const post of postsOnPage(frame.post)) {
    setText(post, "[data-comment-count]", frame.count);
    const list = post.querySelector(".comment-list[data-live]");
    if (list && !list.querySelector(`[id="comment-${Number(frame.comment.id)}"]`)) {
      const node = renderComment(frame.comment, post);
      list.append(node);
      if (window.htmx) window.htmx.process(node);
    }
  }
});

socket.on("comment.deleted", (frame) => {
  for (const post of postsOnPage(frame.post)) {
    setText(post, "[data-comment-count]", frame.count);
    for (const el of post.querySelectorAll(`[id="comment-${Number(frame.comment)}"]`)) el.remove();
  }
});

socket.on("post.deleted", (frame) => {
  for (const post of postsOnPage(frame.post)) post.remove();
});

// The feed: a friend published a post. A pill at the top offers the newest posts (a fresh
// feed), rather than pushing what the reader is looking at down the page.
socket.on("post.new", (frame) => {
  const pill = document.getElementById("new-posts");
  if (!pill || frame.author?.id === me || postsOnPage(frame.post).length) return;
  pill.hidden = false;
});

// The friends list: a friendship ended (either side removed the other, in any tab).
socket.on("friendship.removed", (frame) => {
  const list = document.querySelector("[data-live-friends]");
  if (!list) return;
  const row = list.querySelector(`.person-row[data-person-id="${Number(frame.friend)}"]`);
  if (!row) return;
  row.remove();
  for (const count of document.querySelectorAll('[data-count="friends"]')) {
    count.textContent = String(Math.max(0, Number(count.textContent || 0) - 1));
  }
});

document.body.addEventListener("htmx:afterSwap", dedupe);
document.body.addEventListener("htmx:afterRequest", (event) => {
  const form = event.detail.elt;
  if (!(form instanceof HTMLFormElement) || !form.classList.contains("comment-form")) return;
  const error = form.querySelector(".form-error");
  if (event.detail.xhr && event.detail.xhr.status < 300) {
    form.reset();
    if (error) error.textContent = "";
  }
});

// A refused comment comes back as 422 with the reason, aimed (HX-Retarget) at the form's error
// line; htmx leaves 4xx answers unswapped unless told otherwise.
document.body.addEventListener("htmx:beforeSwap", (event) => {
  if (event.detail.xhr.status === 422 && event.detail.target?.closest?.(".comment-form")) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});
