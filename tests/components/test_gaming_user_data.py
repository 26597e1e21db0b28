"""The workstation's PowerShell user data, for every instance family and driver choice."""

import itertools

import pytest
import tree_sitter
import tree_sitter_powershell

from components.gaming_user_data import (
    FAMILIES,
    GRID_CERTIFICATE_PATH,
    USER_DATA_LIMIT_BYTES,
    driver_bucket_names,
    driver_source,
    render_user_data,
)

DCV_SERVER = "https://d1uj6qtbmh3dt5.cloudfront.net/2021.0/Servers/nice-dcv-server-x64-Release-2021.0-10242.msi"
DCV_DISPLAY = "https://d1uj6qtbmh3dt5.cloudfront.net/Drivers/nice-dcv-virtual-display-x64-Release-34.msi"
GRID_CERT = "https://nvidia-gaming.s3.amazonaws.com/GridSwCert-Archive/GridSwCertWindows_2021_10_2.cert"

_PARSER = tree_sitter.Parser(tree_sitter.Language(tree_sitter_powershell.language()))


def powershell_syntax_errors(script: str) -> list[str]:
    """Lines of the PowerShell body that the grammar cannot parse."""
    body = script.removeprefix("<powershell>\n").removesuffix("</powershell>\n")
    tree = _PARSER.parse(body.encode())
    errors, stack = [], [tree.root_node]
    while stack:
        node = stack.pop()
        if node.is_error or node.is_missing:
            errors.append(body.splitlines()[node.start_point[0]])
        stack.extend(node.children)
    return errors


def render(family, **overrides):
    args = dict(
        family=family,
        dcv_server_url=DCV_SERVER,
        dcv_display_driver_url=DCV_DISPLAY,
        grid_certificate_url=GRID_CERT if family != "g4ad" else None,
    )
    args.update(overrides)
    return render_user_data(**args)


def test_syntax_checker_catches_broken_powershell():
    # Guards the guard: a missing brace and an open quote must both be reported.
    assert powershell_syntax_errors("<powershell>\nif ($a) { Write-Host 'x'\n</powershell>\n")
    assert powershell_syntax_errors("<powershell>\n$a = 'open\n</powershell>\n")
    assert not powershell_syntax_errors("<powershell>\nif ($a) { Write-Host 'x' }\n</powershell>\n")


@pytest.mark.parametrize(
    "family,nvidia_driver,install",
    [
        (f, d, i)
        for f, d, i in itertools.product(FAMILIES, ("gaming", "grid"), (True, False))
        if not (f == "g4ad" and d == "grid")
    ],
)
def test_every_variant_is_valid_powershell_inside_tags_and_within_the_size_limit(family, nvidia_driver, install):
    script = render(family, nvidia_driver=nvidia_driver, install=install)
    assert script.startswith("<powershell>\n")
    assert script.endswith("</powershell>\n")
    assert script.count("<powershell>") == 1 and script.count("</powershell>") == 1
    assert powershell_syntax_errors(script) == []
    assert len(script.encode()) < USER_DATA_LIMIT_BYTES


@pytest.mark.parametrize(
    "family,bucket,prefix,folder",
    [
        ("g4dn", "nvidia-gaming", "windows/latest", "1_NVIDIA_drivers"),
        ("g5", "nvidia-gaming", "windows/latest", "1_NVIDIA_drivers"),
        ("g4ad", "ec2-amd-windows-drivers", "latest", "1_AMD_driver"),
    ],
)
def test_driver_comes_from_the_family_bucket_into_installation_files(family, bucket, prefix, folder):
    script = render(family)
    assert f"$Bucket = '{bucket}'" in script
    assert f"$KeyPrefix = '{prefix}'" in script
    assert "$BucketRegion = 'us-east-1'" in script  # the public driver buckets live there
    assert "Get-S3Object -BucketName $Bucket -KeyPrefix $KeyPrefix -Region $BucketRegion" in script
    assert r"$InstallationFilesFolder = 'C:\Users\Administrator\Desktop\InstallationFiles'" in script
    assert f"Join-Path $InstallationFilesFolder '{folder}'" in script
    assert driver_bucket_names(family) == (bucket,)


def test_grid_driver_comes_from_the_grid_bucket_without_certificate():
    script = render("g4dn", nvidia_driver="grid", grid_certificate_url=None)
    assert "$Bucket = 'ec2-windows-nvidia-drivers'" in script
    assert "$KeyPrefix = 'latest'" in script
    assert "GridSwCert" not in script
    assert "vGamingMarketplace" not in script
    assert driver_bucket_names("g5", "grid") == ("ec2-windows-nvidia-drivers",)


@pytest.mark.parametrize("family", FAMILIES)
def test_dcv_server_and_display_driver_are_downloaded(family):
    script = render(family)
    assert f"-Uri '{DCV_SERVER}' -OutFile (Join-Path $InstallationFilesFolder '2_NICEDCV-Server.msi')" in script
    assert f"-Uri '{DCV_DISPLAY}' -OutFile (Join-Path $InstallationFilesFolder '3_NICEDCV-DisplayDriver.msi')" in script


@pytest.mark.parametrize("family", ["g4dn", "g5"])
def test_nvidia_gaming_driver_gets_certificate_and_registry_flag(family):
    script = render(family)
    assert f"-Uri '{GRID_CERT}' -OutFile '{GRID_CERTIFICATE_PATH}'" in script
    assert "'4_update_registry.ps1'" in script
    assert r"Services\nvlddmkm\Global" in script
    assert (
        "Set-RegistryDword 'HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\nvlddmkm\\Global' 'vGamingMarketplace' 2"
        in script
    )
    assert "Invoke-Installer $Setup.FullName '-s -noreboot -noeula'" in script


def test_amd_driver_has_no_certificate_and_installs_with_pnputil():
    script = render("g4ad")
    assert "GridSwCert" not in script
    assert "vGamingMarketplace" not in script
    assert "pnputil.exe" in script
    assert "@(0, 259, 3010)" in script


def test_certificate_is_required_for_the_nvidia_gaming_driver():
    with pytest.raises(ValueError, match="grid_certificate_url a URL is required"):
        render("g4dn", grid_certificate_url=None)
    with pytest.raises(ValueError, match="grid_certificate_url"):
        render("g5", grid_certificate_url="")


@pytest.mark.parametrize("family", FAMILIES)
def test_silent_installs_then_ok_marker_then_one_restart(family):
    script = render(family)
    assert "ADDLOCAL=ALL AUTOMATIC_SESSION_OWNER=Administrator /quiet /norestart" in script
    assert "'3_NICEDCV-DisplayDriver.msi')`\" /quiet /norestart" in script
    assert "'enable-quic-frontend' 1" in script
    ok = script.index("New-Item -ItemType File -Force -Path (Join-Path $InstallationFilesFolder 'OK')")
    last_step = max(script.rindex("Invoke-WebRequest"), script.rindex("Invoke-Installer "))
    assert last_step < ok < script.index("shutdown.exe /r")
    assert script.count("shutdown.exe") == 1
    assert "if ($RebootNeeded)" in script  # only when a driver went in
    # a failed step leaves FAILED with the error instead of OK
    assert "Join-Path $InstallationFilesFolder 'FAILED') -Value $_.ToString()" in script


@pytest.mark.parametrize("family", FAMILIES)
def test_download_only_mode_leaves_installs_to_the_user(family):
    script = render(family, install=False)
    assert "msiexec" not in script
    assert "pnputil" not in script
    assert "shutdown.exe" not in script
    assert "Invoke-WebRequest" in script
    assert "'OK'" in script


@pytest.mark.parametrize("family", FAMILIES)
def test_a_second_run_after_success_does_nothing(family):
    # Agents may run user data again after the restart: the OK marker must end it before any work.
    script = render(family)
    guard = script.index("if (Test-Path (Join-Path $InstallationFilesFolder 'OK')) { exit 0 }")
    assert guard < script.index("New-Item") < script.index("Get-S3Object")


def test_same_arguments_give_the_same_script_and_each_argument_changes_it():
    assert render("g4dn") == render("g4dn")
    variants = {
        render("g4dn"),
        render("g5"),
        render("g4ad"),
        render("g4dn", nvidia_driver="grid"),
        render("g4dn", install=False),
        render("g4dn", dcv_server_url="https://example.com/other-server.msi"),
        render("g4dn", dcv_display_driver_url="https://example.com/other-display.msi"),
        render("g4dn", grid_certificate_url="https://example.com/other.cert"),
        render("g4dn", installation_folder=r"D:\Games Setup"),
    }
    assert len(variants) == 9


def test_folder_with_spaces_stays_one_powershell_string():
    script = render("g4ad", installation_folder=r"D:\Games Setup\Files")
    assert r"$InstallationFilesFolder = 'D:\Games Setup\Files'" in script
    assert powershell_syntax_errors(script) == []


@pytest.mark.parametrize(
    "field,value,message",
    [
        ("dcv_server_url", "http://d1uj6qtbmh3dt5.cloudfront.net/x.msi", "dcv_server_url must be an https:// URL"),
        ("dcv_display_driver_url", "https://example.com/a'b.msi", "dcv_display_driver_url must not contain"),
        ("dcv_server_url", "https://example.com/$(evil).msi", "dcv_server_url must not contain"),
        ("dcv_server_url", "", "dcv_server_url a URL is required"),
        ("grid_certificate_url", "ftp://example.com/cert", "grid_certificate_url must be an https:// URL"),
        ("installation_folder", "InstallationFiles", "installation_folder must be an absolute Windows path"),
        ("installation_folder", r"C:\It's\here", "installation_folder must be an absolute Windows path"),
    ],
)
def test_unusable_values_are_refused_with_the_field_name(field, value, message):
    with pytest.raises(ValueError, match=message.replace("$", r"\$").replace("(", r"\(").replace(")", r"\)")):
        render("g4dn", **{field: value})


def test_unknown_family_and_driver_are_refused():
    with pytest.raises(ValueError, match="instance family 'p3'"):
        driver_source("p3")
    with pytest.raises(ValueError, match="nvidia_driver 'studio'"):
        driver_source("g4dn", "studio")
