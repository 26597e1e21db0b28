"""PowerShell user data for the gaming workstation, generated from its arguments.

A pure function: the same arguments always give the same script, so tests can pin every line and a
change of argument shows up as a user-data diff in `pulumi preview`.

What the script does on first boot (EC2Launch runs `<powershell>` user data once):
1. downloads the GPU driver of the instance family from its public S3 bucket into InstallationFiles;
2. downloads the NICE DCV server and virtual display driver MSIs next to it;
3. for the NVIDIA gaming driver, fetches the GRID software certificate and writes the
   `vGamingMarketplace` registry script (the licensing steps of that driver);
4. when `install` is on, installs what installs unattended (DCV MSIs with msiexec /quiet, the
   NVIDIA package with -s, the AMD INF with pnputil); a driver that refuses is left for the manual
   step, with a note beside it;
5. writes the empty `OK` marker, or `FAILED` with the error, and restarts once if it installed a driver;
   a run that finds `OK` already there does nothing.
Before all that, with a data volume: waits for it (it is attached just after launch), brings it
online and, only when it is blank (RAW), formats it as drive G: "Games"; a volume carried over from a
replaced instance keeps its files (https://docs.aws.amazon.com/ebs/latest/userguide/ebs-using-volumes.html).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

FAMILIES = ("g4dn", "g4ad", "g5")
NVIDIA_DRIVER_TYPES = ("gaming", "grid")
# The public driver buckets live in us-east-1 whatever the instance's Region.
DRIVER_BUCKET_REGION = "us-east-1"
DEFAULT_INSTALLATION_FOLDER = r"C:\Users\Administrator\Desktop\InstallationFiles"
# Where the NVIDIA gaming driver looks for its certificate.
GRID_CERTIFICATE_PATH = r"C:\Users\Public\Documents\GridSwCert.txt"
GAMING_REGISTRY_KEY = r"HKEY_LOCAL_MACHINE\SYSTEM\CurrentControlSet\Services\nvlddmkm\Global"
# Written as 4_update_registry.ps1 too, for the seed's manual "Run with PowerShell" step.
GAMING_REGISTRY_COMMAND = f'reg add "{GAMING_REGISTRY_KEY}" /v vGamingMarketplace /t REG_DWORD /d 2 /f'
# DCV server settings for the SYSTEM account, where the Windows DCV server reads them.
DCV_CONNECTIVITY_KEY = r"HKEY_USERS\S-1-5-18\Software\GSettings\com\nicesoftware\dcv\connectivity"
DATA_DRIVE_LETTER = "G"
DATA_VOLUME_LABEL = "Games"
DATA_VOLUME_WAIT_MINUTES = 10
OK_MARKER = "OK"
FAILED_MARKER = "FAILED"
USER_DATA_LIMIT_BYTES = 16 * 1024  # EC2 rejects larger user data (before base64)


@dataclass(frozen=True)
class DriverSource:
    """Where a GPU driver comes from and how it is installed."""

    vendor: str  # "nvidia" or "amd"
    bucket: str
    key_prefix: str
    folder: str  # sub-folder of InstallationFiles, named as in the seed's manual steps
    needs_grid_certificate: bool


NVIDIA_GAMING = DriverSource("nvidia", "nvidia-gaming", "windows/latest", "1_NVIDIA_drivers", True)
NVIDIA_GRID = DriverSource("nvidia", "ec2-windows-nvidia-drivers", "latest", "1_NVIDIA_drivers", False)
AMD = DriverSource("amd", "ec2-amd-windows-drivers", "latest", "1_AMD_driver", False)


def driver_source(family: str, nvidia_driver: str = "gaming") -> DriverSource:
    """The driver for an instance family: g4dn and g5 carry NVIDIA GPUs, g4ad an AMD one."""
    if family not in FAMILIES:
        raise ValueError(f"instance family '{family}' is not one of {', '.join(FAMILIES)}")
    if nvidia_driver not in NVIDIA_DRIVER_TYPES:
        raise ValueError(f"nvidia_driver '{nvidia_driver}' is not one of {', '.join(NVIDIA_DRIVER_TYPES)}")
    if family == "g4ad":
        return AMD
    return NVIDIA_GAMING if nvidia_driver == "gaming" else NVIDIA_GRID


def driver_bucket_names(family: str, nvidia_driver: str = "gaming") -> tuple[str, ...]:
    """Buckets the instance role must be able to read for this family (driver buckets only)."""
    return (driver_source(family, nvidia_driver).bucket,)


_UNSAFE = re.compile(r"[\s'\"`$;]")


def url_problem(value: str | None, *, required: bool = True) -> str | None:
    """Why a download URL is unusable in the script, or None when it is fine."""
    if not value:
        return "a URL is required" if required else None
    if not value.startswith("https://"):
        return "must be an https:// URL"
    if _UNSAFE.search(value):
        return "must not contain spaces, quotes, backticks, '$' or ';'"
    if len(value) > 2048:
        return "is longer than 2048 characters"
    return None


def folder_problem(value: str) -> str | None:
    """Why an InstallationFiles folder is unusable, or None when it is fine."""
    if not re.match(r"^[A-Za-z]:\\[^<>:\"/|?*'`$\r\n]*$", value or ""):
        return r"must be an absolute Windows path such as C:\Users\Administrator\Desktop\InstallationFiles"
    return None


def _ps(value: str) -> str:
    """A PowerShell single-quoted literal (only ' needs escaping, by doubling it)."""
    return "'" + value.replace("'", "''") + "'"


def _data_volume_lines() -> list[str]:
    """Wait for the data volume, bring it online, format it only when blank (never a carried-over one).
    On Nitro instances EBS volumes show as NVMe disks named "NVMe Amazon Elastic B...", instance store
    as "NVMe Amazon EC2 NVMe" (https://docs.aws.amazon.com/ebs/latest/userguide/nvme-ebs-volumes.html)."""
    return [
        "  # Data volume (games and saves): survives any replacement of the instance",
        f"  $Deadline = (Get-Date).AddMinutes({DATA_VOLUME_WAIT_MINUTES})",
        "  do {",
        "    $DataDisk = Get-Disk | Where-Object { $_.FriendlyName -like '*Elastic B*' -and -not $_.IsBoot -and -not $_.IsSystem } | Select-Object -First 1",
        "    if (-not $DataDisk) { Start-Sleep -Seconds 10 }",
        "  } until ($DataDisk -or (Get-Date) -gt $Deadline)",
        "  if (-not $DataDisk) { throw 'the data volume was not attached in time' }",
        "  if ($DataDisk.IsOffline) { Set-Disk -Number $DataDisk.Number -IsOffline $false }",
        "  if ($DataDisk.IsReadOnly) { Set-Disk -Number $DataDisk.Number -IsReadOnly $false }",
        "  if ($DataDisk.PartitionStyle -eq 'RAW') {",
        f"    Initialize-Disk -Number $DataDisk.Number -PartitionStyle GPT -PassThru | New-Partition -DriveLetter {DATA_DRIVE_LETTER} -UseMaximumSize | Format-Volume -FileSystem NTFS -NewFileSystemLabel {_ps(DATA_VOLUME_LABEL)} -Confirm:$false | Out-Null",
        "  }",
        "",
    ]


def render_user_data(
    *,
    family: str,
    dcv_server_url: str,
    dcv_display_driver_url: str,
    grid_certificate_url: str | None = None,
    nvidia_driver: str = "gaming",
    installation_folder: str = DEFAULT_INSTALLATION_FOLDER,
    install: bool = True,
    data_volume: bool = False,
) -> str:
    """The `<powershell>` user data for one workstation."""
    source = driver_source(family, nvidia_driver)
    problems = []
    for name, value in (("dcv_server_url", dcv_server_url), ("dcv_display_driver_url", dcv_display_driver_url)):
        problem = url_problem(value)
        if problem:
            problems.append(f"{name} {problem}")
    certificate_problem = url_problem(grid_certificate_url, required=source.needs_grid_certificate)
    if certificate_problem:
        problems.append(f"grid_certificate_url {certificate_problem} (the NVIDIA gaming driver needs it)")
    folder = folder_problem(installation_folder)
    if folder:
        problems.append(f"installation_folder {folder}")
    if problems:
        raise ValueError("; ".join(problems))

    lines = [
        "<powershell>",
        f"# Gaming workstation setup for {family} ({source.vendor} driver from s3://{source.bucket}/{source.key_prefix}).",
        "$ErrorActionPreference = 'Stop'",
        "$ProgressPreference = 'SilentlyContinue'  # the progress bar makes Invoke-WebRequest crawl",
        f"$InstallationFilesFolder = {_ps(installation_folder)}",
        f"$DriverFolder = Join-Path $InstallationFilesFolder {_ps(source.folder)}",
        "$DownloadFolder = Join-Path $env:TEMP 'gaming-driver-download'",
        "# Once set up, never again: the agent may run user data anew after the restart below",
        f"if (Test-Path (Join-Path $InstallationFilesFolder {_ps(OK_MARKER)})) {{ exit 0 }}",
        "New-Item -ItemType Directory -Force -Path $InstallationFilesFolder, $DriverFolder, $DownloadFolder | Out-Null",
        "Start-Transcript -Path (Join-Path $InstallationFilesFolder 'setup.log') -Append | Out-Null",
        "",
        "function Invoke-Installer([string]$FilePath, [string]$Arguments, [int[]]$SuccessCodes = @(0, 3010)) {",
        "  $process = Start-Process -FilePath $FilePath -ArgumentList $Arguments -Wait -PassThru -NoNewWindow",
        '  if ($SuccessCodes -notcontains $process.ExitCode) { throw "$FilePath exited with code $($process.ExitCode)" }',
        "}",
        "function Set-RegistryDword([string]$Key, [string]$Name, [int]$Value) {",
        '  New-Item -Path "Registry::$Key" -Force | Out-Null',
        '  New-ItemProperty -Path "Registry::$Key" -Name $Name -PropertyType DWord -Value $Value -Force | Out-Null',
        "}",
        "$RebootNeeded = $false",
        "",
        "try {",
        *(_data_volume_lines() if data_volume else []),
        "  # GPU driver for this instance family",
        f"  $Bucket = {_ps(source.bucket)}",
        f"  $KeyPrefix = {_ps(source.key_prefix)}",
        f"  $BucketRegion = {_ps(DRIVER_BUCKET_REGION)}",
        "  foreach ($Object in Get-S3Object -BucketName $Bucket -KeyPrefix $KeyPrefix -Region $BucketRegion) {",
        "    if ($Object.Size -eq 0) { continue }  # folder placeholders",
        "    $LocalFile = Join-Path $DownloadFolder (Split-Path $Object.Key -Leaf)",
        "    Copy-S3Object -BucketName $Bucket -Key $Object.Key -LocalFile $LocalFile -Region $BucketRegion | Out-Null",
        "    if ($LocalFile -like '*.zip') { Expand-Archive -Path $LocalFile -DestinationPath $DriverFolder -Force }",
        "    else { Copy-Item -Path $LocalFile -Destination $DriverFolder -Force }",
        "  }",
        '  if (-not (Get-ChildItem -Path $DriverFolder -Recurse -File)) { throw "no driver found in s3://$Bucket/$KeyPrefix" }',
        "",
        "  # NICE DCV server and virtual display driver",
        f"  Invoke-WebRequest -UseBasicParsing -Uri {_ps(dcv_server_url)} -OutFile (Join-Path $InstallationFilesFolder '2_NICEDCV-Server.msi')",
        f"  Invoke-WebRequest -UseBasicParsing -Uri {_ps(dcv_display_driver_url)} -OutFile (Join-Path $InstallationFilesFolder '3_NICEDCV-DisplayDriver.msi')",
    ]
    if source.needs_grid_certificate:
        lines += [
            "",
            "  # NVIDIA gaming driver licensing: certificate and registry flag",
            f"  Invoke-WebRequest -UseBasicParsing -Uri {_ps(grid_certificate_url or '')} -OutFile {_ps(GRID_CERTIFICATE_PATH)}",
            f"  Set-Content -Path (Join-Path $InstallationFilesFolder '4_update_registry.ps1') -Value {_ps(GAMING_REGISTRY_COMMAND)}",
        ]
    if install:
        lines += [
            "",
            "  # Unattended installs; a GPU driver that refuses is left for the manual step, with a note",
            "  $DcvLog = Join-Path $InstallationFilesFolder 'dcv-server-install.log'",
            '  Invoke-Installer \'msiexec.exe\' "/i `"$(Join-Path $InstallationFilesFolder \'2_NICEDCV-Server.msi\')`" ADDLOCAL=ALL AUTOMATIC_SESSION_OWNER=Administrator /quiet /norestart /l*v `"$DcvLog`""',
            "  Invoke-Installer 'msiexec.exe' \"/i `\"$(Join-Path $InstallationFilesFolder '3_NICEDCV-DisplayDriver.msi')`\" /quiet /norestart\"",
            "  # DCV over QUIC (UDP 8443) as well as TCP",
            f"  Set-RegistryDword {_ps(DCV_CONNECTIVITY_KEY)} 'enable-quic-frontend' 1",
            "  try {",
        ]
        if source.vendor == "nvidia":
            lines += [
                "    # a package may hold installers for several Windows versions: prefer the server build",
                "    $Setup = Get-ChildItem -Path $DriverFolder -Recurse -Filter '*.exe' | Sort-Object -Property @({ $_.Name -notlike '*server*' }, 'Name') | Select-Object -First 1",
                "    if (-not $Setup) { throw 'no NVIDIA installer (.exe) in the driver download' }",
                "    Invoke-Installer $Setup.FullName '-s -noreboot -noeula'",
            ]
            if source.needs_grid_certificate:
                lines.append(f"    Set-RegistryDword {_ps(GAMING_REGISTRY_KEY)} 'vGamingMarketplace' 2")
        else:
            lines += [
                "    $Infs = Get-ChildItem -Path $DriverFolder -Recurse -Filter '*.inf' | Where-Object { $_.DirectoryName -like '*\\Display\\*' }",
                "    if (-not $Infs) { throw 'no AMD display driver (.inf) in the driver download' }",
                "    # pnputil: 3010 = reboot required, 259 = already installed",
                '    foreach ($Inf in $Infs) { Invoke-Installer \'pnputil.exe\' "/add-driver `"$($Inf.FullName)`" /install" @(0, 259, 3010) }',
            ]
        lines += [
            "    $RebootNeeded = $true",
            "  } catch {",
            "    Set-Content -Path (Join-Path $InstallationFilesFolder 'INSTALL_GPU_DRIVER_MANUALLY.txt') -Value \"Unattended GPU driver install failed: $_\"",
            "  }",
        ]
    lines += [
        "",
        "  Remove-Item -Path $DownloadFolder -Recurse -Force -ErrorAction SilentlyContinue",
        f"  New-Item -ItemType File -Force -Path (Join-Path $InstallationFilesFolder {_ps(OK_MARKER)}) | Out-Null",
        "} catch {",
        f"  Set-Content -Path (Join-Path $InstallationFilesFolder {_ps(FAILED_MARKER)}) -Value $_.ToString()",
        "  throw",
        "} finally {",
        "  Stop-Transcript | Out-Null",
        "}",
    ]
    if install:
        lines += [
            "# The new GPU driver takes effect after a restart; scheduled, so this script ends first",
            "if ($RebootNeeded) { & shutdown.exe /r /t 30 /c 'Gaming workstation set up: restarting for the GPU driver' }",
        ]
    lines.append("</powershell>")
    script = "\n".join(lines) + "\n"
    if len(script.encode("utf-8")) > USER_DATA_LIMIT_BYTES:
        raise ValueError(f"user data is {len(script.encode())} bytes; EC2 accepts at most {USER_DATA_LIMIT_BYTES}")
    return script
