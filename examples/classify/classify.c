/* classify: embeds the LeNet-5 model compiled by nnc and classifies one
 * grayscale image (PGM, 32x32, or 28x28 which is centred with a 2-pixel
 * border as LeNet-5 expects).
 *
 *   classify [--weights trained.safetensors] [--fashion] image.pgm
 *
 * Without --weights the parameters are initialized from seed 1 with the
 * model's initializers (PyTorch's defaults), so the scores are untrained.
 * The weights are read at run time with nnc_load_safetensors.
 *
 * --fashion classifies a 28x28 Fashion-MNIST image with the weights
 * examples/train_fashion saves: it normalises the pixels as that program
 * does, (p - 0.2860) / 0.3530, and names the class. Its model,
 * fashion_lenet5.nn, has the same parameters (names and shapes) as
 * lenet5.nn, and its conv1 pads a 28x28 image with 2 zeros on each side:
 * lenet5 on the normalised image centred in a border of zeros computes the
 * same logits.
 *
 * The memory is the application's: one parameter buffer, one scratch buffer,
 * the input and the output, all 64-byte aligned, sized by lenet5.h. */
#define _POSIX_C_SOURCE 200809L
#include "lenet5.h"
#include "nnc_runtime.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { SIDE = 32 };

/* Fashion-MNIST: the training pixels' mean and standard deviation (pixels in
 * [0, 1]) that examples/train_fashion normalises with, and the class names. */
static const float FASHION_MEAN = 0.2860f, FASHION_STD = 0.3530f;
static const char *const FASHION_CLASSES[10] = {
    "t-shirt/top", "trouser", "pullover", "dress", "coat",
    "sandal",      "shirt",   "sneaker",  "bag",   "ankle boot"};

/* Allocates `bytes` (rounded up to the alignment) aligned to NNC_ALIGNMENT. */
static void *aligned_buffer(size_t bytes) {
  void *p = NULL;
  size_t rounded = (bytes + NNC_ALIGNMENT - 1) / NNC_ALIGNMENT * NNC_ALIGNMENT;
  if (posix_memalign(&p, NNC_ALIGNMENT, rounded ? rounded : NNC_ALIGNMENT) != 0)
    return NULL;
  return p;
}

/* Reads the next integer of a PGM header or ASCII body, skipping comments. */
static int read_number(FILE *file, long *value) {
  int c;
  do {
    c = fgetc(file);
    if (c == '#')
      while (c != '\n' && c != EOF)
        c = fgetc(file);
  } while (c == ' ' || c == '\t' || c == '\r' || c == '\n');
  if (c < '0' || c > '9')
    return 0;
  *value = 0;
  while (c >= '0' && c <= '9') {
    if (*value > 100000)
      return 0;
    *value = *value * 10 + (c - '0');
    c = fgetc(file);
  }
  return 1;
}

/* Loads a P2/P5 PGM into `pixels` (SIDE x SIDE, values in [0, 1]; with
 * `fashion`, a 28x28 image normalised as Fashion-MNIST, in a border of 0). */
static int load_pgm(const char *path, float *pixels, int fashion) {
  FILE *file = fopen(path, "rb");
  if (!file) {
    fprintf(stderr, "classify: cannot open %s\n", path);
    return 0;
  }
  char magic[3] = {0};
  long width = 0, height = 0, maxval = 0;
  int ok = fread(magic, 1, 2, file) == 2 && (magic[0] == 'P') &&
           (magic[1] == '2' || magic[1] == '5') && read_number(file, &width) &&
           read_number(file, &height) && read_number(file, &maxval) && maxval > 0 &&
           maxval < 256;
  if (!ok || !((width == 32 && height == 32) || (width == 28 && height == 28))) {
    fprintf(stderr, "classify: %s is not a 32x32 or 28x28 8-bit PGM image\n", path);
    fclose(file);
    return 0;
  }
  if (fashion && width != 28) {
    fprintf(stderr, "classify: --fashion needs a 28x28 image (Fashion-MNIST's size); %s is "
                    "32x32\n", path);
    fclose(file);
    return 0;
  }
  long border = (SIDE - width) / 2;
  memset(pixels, 0, sizeof(float) * SIDE * SIDE);
  for (long y = 0; y < height && ok; ++y)
    for (long x = 0; x < width && ok; ++x) {
      long value = 0;
      if (magic[1] == '2') {
        ok = read_number(file, &value) && value <= maxval;
      } else {
        int c = fgetc(file);
        ok = c != EOF;
        value = c;
      }
      float v = (float)value / (float)maxval;
      if (fashion)
        v = (v - FASHION_MEAN) / FASHION_STD;
      pixels[(y + border) * SIDE + (x + border)] = v;
    }
  fclose(file);
  if (!ok)
    fprintf(stderr, "classify: %s is truncated or has a pixel above its maximum\n", path);
  return ok;
}

int main(int argc, char **argv) {
  const char *weights = NULL, *image_path = NULL;
  int fashion = 0;
  for (int i = 1; i < argc; ++i) {
    if (strcmp(argv[i], "--weights") == 0 && i + 1 < argc)
      weights = argv[++i];
    else if (strcmp(argv[i], "--fashion") == 0)
      fashion = 1;
    else if (!image_path && argv[i][0] != '-')
      image_path = argv[i];
    else {
      fprintf(stderr, "usage: classify [--weights trained.safetensors] [--fashion] image.pgm\n");
      return 2;
    }
  }
  if (!image_path) {
    fprintf(stderr, "usage: classify [--weights trained.safetensors] [--fashion] image.pgm\n");
    return 2;
  }
  void *params = aligned_buffer(LENET5_PARAM_BYTES);
  void *scratch = aligned_buffer(LENET5_INFER_SCRATCH_BYTES);
  float *image = aligned_buffer(LENET5_INPUT_IMAGE_BYTES);
  float *logits = aligned_buffer(LENET5_OUTPUT_LOGITS_BYTES);
  if (!params || !scratch || !image || !logits) {
    fprintf(stderr, "classify: out of memory\n");
    return 1;
  }
  char error[256];
  int status = weights ? nnc_load_safetensors(&lenet5_model_info, weights, params, error,
                                              sizeof error)
                       : nnc_init_params(&lenet5_model_info, params, 1);
  if (status != NNC_OK) {
    fprintf(stderr, "classify: %s\n", weights ? error : nnc_status_string(status));
    return 1;
  }
  if (!load_pgm(image_path, image, fashion))
    return 1;
  status = lenet5_infer(params, image, logits, scratch);
  if (status != NNC_OK) {
    fprintf(stderr, "classify: inference failed: %s\n", nnc_status_string(status));
    return 1;
  }
  int best = 0;
  printf("scores (%s weights):", weights ? "trained" : "untrained");
  for (int c = 0; c < (int)LENET5_OUTPUT_LOGITS_ELEMENTS; ++c) {
    printf(" %.4f", logits[c]);
    if (logits[c] > logits[best])
      best = c;
  }
  if (fashion)
    printf("\nclass: %d (%s)\n", best, FASHION_CLASSES[best]);
  else
    printf("\nclass: %d\n", best);
  free(params);
  free(scratch);
  free(image);
  free(logits);
  return 0;
}
