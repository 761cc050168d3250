// Progressive help only: every page works without it.
document.addEventListener('DOMContentLoaded', () => {
  // "Select all" checkboxes: <input type=checkbox data-select-all="name">
  document.querySelectorAll('input[data-select-all]').forEach(all => {
    all.addEventListener('change', () => {
      document.querySelectorAll('input[type=checkbox][name="' + all.dataset.selectAll + '"]')
        .forEach(box => { box.checked = all.checked; });
    });
  });
});
