package org.computeledger.common;

import java.io.IOException;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * An output folder written atomically: everything goes to a hidden sibling first, and only a
 * complete run replaces the previous folder, so a run killed half-way leaves the old report intact.
 */
public final class OutputDir {
  private final FileSystem fs;
  private final Path target;
  private final Path staging;

  private OutputDir(FileSystem fs, Path target, Path staging) {
    this.fs = fs;
    this.target = target;
    this.staging = staging;
  }

  public static OutputDir begin(String out, Configuration conf) {
    try {
      Path target = new Path(out);
      FileSystem fs = target.getFileSystem(conf);
      target = fs.makeQualified(target);
      Path parent = target.getParent();
      Path staging = new Path(parent, "." + target.getName() + ".tmp-" + UUID.randomUUID());
      if (fs.exists(target) && !fs.getFileStatus(target).isDirectory()) {
        throw new LedgerException(out + ": exists and is not a folder");
      }
      fs.mkdirs(staging);
      return new OutputDir(fs, target, staging);
    } catch (IOException e) {
      throw new LedgerException(out + ": cannot prepare the output folder: " + e.getMessage(), e);
    }
  }

  /** Where the job writes; becomes the target on {@link #commit()}. */
  public String path() {
    return staging.toString();
  }

  public String child(String name) {
    return new Path(staging, name).toString();
  }

  public String target() {
    return target.toString();
  }

  public void commit() {
    try {
      Path old = null;
      if (fs.exists(target)) {
        old = new Path(target.getParent(), "." + target.getName() + ".old-" + UUID.randomUUID());
        if (!fs.rename(target, old)) {
          throw new IOException("cannot move the previous " + target + " aside");
        }
      }
      if (!fs.rename(staging, target)) {
        if (old != null) {
          fs.rename(old, target);
        }
        throw new IOException("cannot move " + staging + " to " + target);
      }
      if (old != null) {
        fs.delete(old, true);
      }
    } catch (IOException e) {
      throw new LedgerException(target + ": cannot write the output folder: " + e.getMessage(), e);
    }
  }

  /** Removes the staging folder after a failure. */
  public void abandon() {
    try {
      fs.delete(staging, true);
    } catch (IOException e) {
      // nothing more to do: the target was never touched
    }
  }
}
