// Avatar upload: preview the chosen picture in Cropper.js (square box) and send the box as
// crop_x/crop_y/crop_width/crop_height in the picture's own pixels. Without JavaScript the
// server takes the centred square.
const form = document.querySelector("[data-avatar-form]");
const Cropper = window.Cropper;

if (form && Cropper) {
  const input = form.querySelector("input[type=file]");
  const panel = form.querySelector("[data-avatar-crop]");
  const preview = form.querySelector("[data-avatar-preview]");
  const fields = ["x", "y", "width", "height"].map((key) => [key, form.elements[`crop_${key}`]]);
  let cropper = null;
  let objectUrl = null;

  const fill = (data) => {
    for (const [key, field] of fields) field.value = data ? Math.round(data[key]) : "";
  };

  const reset = () => {
    if (cropper) cropper.destroy();
    cropper = null;
    if (objectUrl) URL.revokeObjectURL(objectUrl);
    objectUrl = null;
    delete form.dataset.cropperReady;
    fill(null);
    panel.hidden = true;
  };

  input.addEventListener("change", () => {
    reset();
    const file = input.files && input.files[0];
    if (!file || !file.type.startsWith("image/")) return;
    objectUrl = URL.createObjectURL(file);
    preview.src = objectUrl;
    panel.hidden = false;
    cropper = new Cropper(preview, {
      aspectRatio: 1,
      viewMode: 1,
      autoCropArea: 1,
      checkOrientation: false, // the browser already shows the picture upright, as the server cuts it
      background: false,
      ready() {
        fill(cropper.getData(true));
        form.dataset.cropperReady = "true";
      },
      cropend() {
        fill(cropper.getData(true));
      },
    });
  });

  form.addEventListener("click", (event) => {
    const zoom = event.target.closest("[data-avatar-zoom]");
    if (zoom && cropper) cropper.zoom(Number(zoom.dataset.avatarZoom));
    if (event.target.closest("[data-avatar-reset]") && cropper) cropper.reset();
  });

  form.addEventListener("submit", () => {
    if (cropper && form.dataset.cropperReady) fill(cropper.getData(true));
  });
}
