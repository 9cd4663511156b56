// Small progressive enhancements; every page works without them.
(function () {
  "use strict";

  // Availability grid: press and drag to paint slots on or off, like a calendar.
  function enhanceAvailabilityGrid(grid) {
    let painting = null;
    grid.addEventListener("pointerdown", (event) => {
      const box = event.target.closest("input[type=checkbox]");
      if (!box) return;
      event.preventDefault();
      painting = !box.checked;
      box.checked = painting;
    });
    grid.addEventListener("pointerover", (event) => {
      const box = event.target.closest("input[type=checkbox]");
      if (box && painting !== null) box.checked = painting;
    });
    grid.addEventListener("click", (event) => {
      // The pointerdown handler already toggled the box; keep the browser from undoing it.
      if (event.target.matches("input[type=checkbox]") && event.detail > 0) event.preventDefault();
    });
    document.addEventListener("pointerup", () => { painting = null; });
    const morning = grid.querySelector('tr[data-time="07:00"]');
    if (morning) grid.scrollTop = morning.offsetTop - grid.querySelector("thead").offsetHeight;
  }

  // A new profile's time zone starts from the browser's, which is almost always right.
  function suggestTimeZone(select) {
    if (select.value !== "UTC") return;
    const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (zone && select.querySelector(`option[value="${CSS.escape(zone)}"]`)) select.value = zone;
  }

  // "Other specialty" only matters when the specialty is "Other".
  function linkOtherSpecialty(select) {
    const other = document.querySelector("input[name=specialty_other]");
    if (!other) return;
    const field = other.closest(".field");
    const update = () => { field.hidden = select.value !== "other" && other.value === ""; };
    select.addEventListener("change", update);
    update();
  }

  // Meeting mode: the presenter's time box counts down. The deadline comes from the server,
  // so every member's screen shows the same time, and a swapped-in panel just keeps ticking.
  function tickCountdowns() {
    document.querySelectorAll(".countdown[data-deadline]").forEach((clock) => {
      const left = Math.round((Date.parse(clock.dataset.deadline) - Date.now()) / 1000);
      const over = left < 0;
      const seconds = Math.abs(left);
      const text = `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, "0")}`;
      clock.textContent = over ? `Time is up (+${text})` : text;
      clock.classList.toggle("countdown--over", over);
    });
  }

  document.addEventListener("DOMContentLoaded", () => {
    tickCountdowns();
    setInterval(tickCountdowns, 1000);
    document.querySelectorAll("[data-availability-grid]").forEach(enhanceAvailabilityGrid);
    const zone = document.querySelector("select[name=time_zone]");
    if (zone) suggestTimeZone(zone);
    const specialty = document.querySelector("select[name=specialty]");
    if (specialty) linkOtherSpecialty(specialty);
  });
})();
