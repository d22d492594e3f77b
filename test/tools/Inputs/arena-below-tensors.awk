# Reads nnc --report; exits 1 unless every memory plan printed (inference,
# then the training step) has 0 < scratch arena < intermediate tensors.
/scratch arena:/ { arena[++plans] = $3 }
/intermediate tensors:/ { tensors[plans] = $3 }
END {
  if (plans == 0) exit 1
  for (i = 1; i <= plans; i++)
    if (!(arena[i] > 0 && arena[i] < tensors[i])) {
      print "plan " i ": arena " arena[i] " bytes, tensors " tensors[i] " bytes"
      exit 1
    }
}
