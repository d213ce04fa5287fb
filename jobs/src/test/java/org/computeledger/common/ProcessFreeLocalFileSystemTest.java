package org.computeledger.common;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.Comparator;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.permission.FsPermission;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The process-free local file system sets and reports the same modes, owners and groups as Hadoop's own. */
class ProcessFreeLocalFileSystemTest {
  @TempDir java.nio.file.Path tmp;
  private FileSystem fs;
  private FileSystem hadoops;

  @BeforeEach
  void open() throws IOException {
    Configuration conf = new Configuration();
    conf.set("fs.permissions.umask-mode", "022");
    fs = new ProcessFreeLocalFileSystem();
    fs.initialize(URI.create("file:///"), conf);
    hadoops = new LocalFileSystem();
    hadoops.initialize(URI.create("file:///"), conf);
  }

  @Test
  void aFileCreatedWithAPermissionGetsItLessTheUmask() throws IOException {
    Path f = new Path(tmp.resolve("a.parquet").toUri());
    fs.create(f, new FsPermission((short) 0666), true, 4096, (short) 1, 1 << 20, null).close();
    assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(tmp.resolve("a.parquet"))));
  }

  @Test
  void aFolderMadeWithAPermissionGetsItLessTheUmask() throws IOException {
    fs.mkdirs(new Path(tmp.resolve("x/y").toUri()), new FsPermission((short) 0777));
    assertEquals("rwxr-xr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(tmp.resolve("x/y"))));
  }

  @Test
  void setPermissionSetsTheWholeModeIncludingTheStickyBit() throws IOException {
    Files.createDirectory(tmp.resolve("shared"));
    Path d = new Path(tmp.resolve("shared").toUri());
    fs.setPermission(d, new FsPermission((short) 01750));
    assertEquals(new FsPermission((short) 01750), hadoops.getFileStatus(d).getPermission());
  }

  @Test
  void listedStatusesReportWhatHadoopsOwnLsReports() throws IOException {
    Files.writeString(tmp.resolve("f.csv"), "a,b\n");
    Files.setPosixFilePermissions(tmp.resolve("f.csv"), PosixFilePermissions.fromString("rw-r-----"));
    Files.createDirectory(tmp.resolve("d"));
    Path dir = new Path(tmp.toUri());
    FileStatus[] ours = fs.listStatus(dir);
    FileStatus[] theirs = hadoops.listStatus(dir);
    Arrays.sort(ours, Comparator.comparing(s -> s.getPath().getName()));
    Arrays.sort(theirs, Comparator.comparing(s -> s.getPath().getName()));
    assertEquals(theirs.length, ours.length);
    for (int i = 0; i < ours.length; i++) {
      assertEquals(theirs[i].getPath(), ours[i].getPath());
      assertEquals(theirs[i].getLen(), ours[i].getLen());
      assertEquals(theirs[i].isDirectory(), ours[i].isDirectory());
      assertEquals(theirs[i].getModificationTime(), ours[i].getModificationTime());
      assertEquals(theirs[i].getPermission(), ours[i].getPermission(), theirs[i].getPath().getName());
      assertEquals(theirs[i].getOwner(), ours[i].getOwner());
      assertEquals(theirs[i].getGroup(), ours[i].getGroup());
    }
  }

  @Test
  void aFileStatusReportsWhatHadoopsOwnReports() throws IOException {
    Files.writeString(tmp.resolve("g"), "x");
    Files.setPosixFilePermissions(tmp.resolve("g"), PosixFilePermissions.fromString("rwx--x---"));
    Path g = new Path(tmp.resolve("g").toUri());
    FileStatus ours = fs.getFileStatus(g);
    FileStatus theirs = hadoops.getFileStatus(g);
    assertEquals(theirs.getPermission(), ours.getPermission());
    assertEquals(theirs.getOwner(), ours.getOwner());
    assertEquals(theirs.getGroup(), ours.getGroup());
  }
}
