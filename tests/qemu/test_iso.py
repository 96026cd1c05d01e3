"""The GRUB image (make iso): boots under SeaBIOS and OVMF, as a CD and as a
USB stick, and is a hybrid BIOS + UEFI image."""
import os
import re
import struct
import subprocess
import uuid

import pytest

from harness import BANNER_RE, BUILD, EXIT_OK, ISO, KERNEL, ROOT, Guest

TEST_ISO = os.path.join(BUILD, "test-iso", "ready.iso")
# GPT partition type of an EFI system partition (UEFI 2.10 5.3.3)
ESP_TYPE = uuid.UUID("c12a7328-f81f-11d2-ba4b-00a0c93ec93b")
MBR_SIGNATURE = b"\x55\xaa"     # bytes 510..511 of a bootable MBR
MBR_TYPE_GPT_PROTECTIVE = 0xEE
SECTOR = 512


def make(*args):
    r = subprocess.run(["make", "--no-print-directory", "-s"] + list(args), cwd=ROOT,
                       stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    return r


@pytest.fixture(scope="module")
def ready_iso(kernel):
    """An image whose default entry powers off at `ready`, timeout 0; built
    around the existing kernel, which must not be rebuilt."""
    before = os.stat(KERNEL).st_mtime_ns
    make("iso", "ISO_APPEND=exit=ready", "ISO_OUT=" + TEST_ISO, "ISO_TIMEOUT=0")
    assert os.stat(KERNEL).st_mtime_ns == before, "make iso rebuilt the kernel"
    return TEST_ISO


@pytest.fixture(scope="module")
def release_iso(kernel):
    # make decides: it rebuilds the image when the kernel is newer
    make("iso")
    return ISO


def iso_file(iso, path, tmpdir):
    """The bytes of one file of the image, read back with xorriso."""
    dest = os.path.join(str(tmpdir), os.path.basename(path))
    r = subprocess.run(["xorriso", "-osirrox", "on", "-indev", iso, "-extract", path, dest],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and os.path.exists(dest), r.stderr
    with open(dest, "rb") as f:
        return f.read()


def check_boot(code, out, cmdline="exit=ready"):
    # GRUB ends its lines with \n\r: drop carriage returns before matching lines
    out = out.replace("\r", "")
    assert BANNER_RE.search(out), out
    assert re.search(r"^\[ *\d+\.\d{6}\] boot: GRUB [0-9][^ ]* via multiboot2, cmdline: '%s'$"
                     % re.escape(cmdline), out, re.M), out
    assert re.search(r"^\[ *\d+\.\d{6}\] barenet: ready in \d+\.\d{3} ms$", out, re.M), out
    assert code == EXIT_OK, out


@pytest.mark.parametrize("machine,firmware,timeout", [
    ("q35", "bios", 30),
    ("pc", "bios", 30),
    ("q35", "ovmf", 60),        # GRUB under OVMF takes ~4 s with TCG
])
def test_iso_boots_from_cd(ready_iso, machine, firmware, timeout):
    with Guest("iso-cd-%s-%s" % (machine, firmware), iso=ready_iso, machine=machine,
               firmware=firmware) as g:
        code = g.wait_exit(timeout)
        check_boot(code, g.output)


@pytest.mark.parametrize("firmware,timeout", [("bios", 30), ("ovmf", 60)])
def test_iso_boots_from_usb_stick(ready_iso, firmware, timeout):
    """The image as `dd` writes it to a stick: SeaBIOS boots its MBR, OVMF its
    EFI system partition."""
    with Guest("iso-usb-" + firmware, usb=ready_iso, firmware=firmware) as g:
        code = g.wait_exit(timeout)
        check_boot(code, g.output)


def test_iso_is_hybrid(release_iso):
    with open(release_iso, "rb") as f:
        mbr = f.read(SECTOR)
        gpt = f.read(SECTOR)
        f.seek(struct.unpack_from("<Q", gpt, 72)[0] * SECTOR)
        nparts, entsize = struct.unpack_from("<II", gpt, 80)
        entries = f.read(nparts * entsize)
    assert mbr[510:512] == MBR_SIGNATURE, "no MBR boot signature: not bootable as a disk"
    assert mbr[446 + 4] == MBR_TYPE_GPT_PROTECTIVE, "MBR has no protective GPT entry"
    assert gpt[:8] == b"EFI PART", "no GPT header at LBA 1"
    esp = [struct.unpack_from("<QQ", entries, i * entsize + 32)
           for i in range(nparts)
           if uuid.UUID(bytes_le=entries[i * entsize:i * entsize + 16]) == ESP_TYPE]
    assert len(esp) == 1, "no EFI system partition in the GPT"
    first, last = esp[0]
    # the ESP is a FAT image holding the removable-media loader
    r = subprocess.run(["mdir", "-b", "-i", "%s@@%d" % (release_iso, first * SECTOR), "::/EFI/BOOT"],
                       capture_output=True, text=True, timeout=30)
    assert r.returncode == 0, r.stderr
    assert re.search(r"BOOTX64\.EFI", r.stdout, re.I), r.stdout

    r = subprocess.run(["xorriso", "-indev", release_iso, "-report_el_torito", "plain"],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    platforms = re.findall(r"^El Torito boot img :\s+\d+\s+(\w+)\s+y\s", r.stdout, re.M)
    assert sorted(platforms) == ["BIOS", "UEFI"], r.stdout


def test_release_iso_grub_cfg(release_iso, tmp_path):
    cfg = iso_file(release_iso, "/boot/grub/grub.cfg", tmp_path).decode()
    assert re.search(r"^serial --unit=0 --speed=115200\b", cfg, re.M), cfg
    assert re.search(r"^terminal_output serial console$", cfg, re.M), cfg
    assert re.search(r"^terminal_input serial console$", cfg, re.M), cfg
    timeout = int(re.search(r"^set timeout=(\d+)$", cfg, re.M).group(1))
    assert 0 < timeout <= 5, cfg
    entries = re.findall(r'^menuentry "([^"]+)" \{\n\s*(.*)$', cfg, re.M)
    assert entries[0] == ("barenet", "multiboot2 /boot/barenet.elf"), entries
    assert sum(e[1].startswith("multiboot2 /boot/barenet.elf") for e in entries) >= 3, entries
    with open(KERNEL, "rb") as f:
        assert iso_file(release_iso, "/boot/barenet.elf", tmp_path) == f.read()


def test_test_iso_default_entry_has_its_options(ready_iso, tmp_path):
    cfg = iso_file(ready_iso, "/boot/grub/grub.cfg", tmp_path).decode()
    assert re.search(r"^set timeout=0$", cfg, re.M), cfg
    first = re.search(r'^menuentry "barenet" \{\n\s*(.*)$', cfg, re.M).group(1)
    assert first == "multiboot2 /boot/barenet.elf exit=ready", cfg


def test_release_iso_holds_only_the_kernel_and_grub(release_iso):
    r = subprocess.run(["xorriso", "-indev", release_iso, "-find", "/boot", "-type", "f"],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    files = {l.strip("'") for l in r.stdout.split()}
    ours = {f for f in files if not re.match(r"/boot/grub/(i386-pc|x86_64-efi)/", f)}
    assert ours == {"/boot/barenet.elf", "/boot/grub/grub.cfg"}, sorted(ours)
    assert "/boot/grub/i386-pc/multiboot2.mod" in files
    assert "/boot/grub/x86_64-efi/multiboot2.mod" in files
