// Bulk-add signatures: a "did you mean" or "add as new" button puts its
// choice in place of the pasted line it answers, so the editor need not
// retype it. A static file, as the site's CSP allows no inline script.
"use strict";
document.addEventListener("click", (event) => {
  const button = event.target.closest(".bulk-add-choice");
  if (!button) return;
  const names = document.getElementById("id_names");
  const lines = names.value.split("\n");
  const index = Number(button.dataset.line) - 1;
  if (index < 0 || index >= lines.length) return;
  lines[index] = button.dataset.text;
  names.value = lines.join("\n");
  const problem = button.closest(".bulk-add-problem");
  problem.classList.add("bulk-add-problem--answered");
  problem.querySelectorAll(".bulk-add-choice").forEach((other) => {
    other.setAttribute("aria-pressed", String(other === button));
  });
  const status = problem.querySelector(".bulk-add-answer") ||
    problem.appendChild(document.createElement("span"));
  status.className = "bulk-add-answer";
  status.setAttribute("role", "status");
  status.textContent = ` Line ${index + 1} now reads “${button.dataset.text}”.`;
});
