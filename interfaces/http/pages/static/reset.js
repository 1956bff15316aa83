// The reset form: sends the new password to the API and says, in words a screen reader
// announces, what happened. Quill's own script: the page's policy allows no other.
"use strict";

(function () {
  const form = document.getElementById("reset-form");
  if (!form) return;
  const password = document.getElementById("new-password");
  const repeat = document.getElementById("repeat-password");
  const problem = document.getElementById("password-problem");
  const outcome = document.getElementById("outcome");
  const button = form.querySelector("button");

  function complain(text, field) {
    problem.textContent = text;
    for (const input of [password, repeat]) input.removeAttribute("aria-invalid");
    if (field) {
      field.setAttribute("aria-invalid", "true");
      field.focus();
    }
  }

  function finish(text) {
    form.hidden = true;
    outcome.textContent = text;
    outcome.focus();
  }

  form.addEventListener("submit", async function (event) {
    event.preventDefault();
    if (!password.value) return complain("Type a new password.", password);
    if (password.value !== repeat.value) {
      return complain("The two passwords are not the same.", repeat);
    }
    complain("");
    button.disabled = true;
    let answer;
    try {
      answer = await fetch(form.dataset.api, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ token: form.elements.token.value, new_password: password.value }),
      });
    } catch (error) {
      button.disabled = false;
      return complain("Quill could not be reached. Check your connection and try again.");
    }
    button.disabled = false;
    if (answer.status === 204) {
      return finish("Your new password is set. You are signed out everywhere: log in with it.");
    }
    let body = {};
    try {
      body = await answer.json();
    } catch (error) {
      body = {};
    }
    if (body.code === "token_invalid") {
      return finish("This link does not work any more. Ask for a new password reset link.");
    }
    const errors = (body.errors && body.errors.new_password) || [];
    complain(errors.length ? errors.join(" ") : body.message || "Something went wrong.", password);
  });
})();
