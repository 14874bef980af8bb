# Build the one-folder cfdesk bundle with PyInstaller on Windows.
# Usage: packaging\build.ps1 [-Dist DIR]   (default: dist\ in the checkout; the bundle is DIR\cfdesk)
# $env:CFDESK_PY picks the Python (default: the checkout's .venv).
param([string]$Dist = "")
$ErrorActionPreference = "Stop"

$root = Split-Path -Parent $PSScriptRoot
$py = if ($env:CFDESK_PY) { $env:CFDESK_PY } else { Join-Path $root ".venv\Scripts\python.exe" }
if (-not $Dist) { $Dist = Join-Path $root "dist" }
$work = Join-Path $root "build\pyinstaller"

& $py -c "import PyInstaller" 2>$null
if ($LASTEXITCODE -ne 0) {
    Write-Host "cfdesk: installing PyInstaller (a build-time tool only)"
    & $py -m pip install --quiet "pyinstaller>=6.6"
    if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
}

& $py -m PyInstaller --noconfirm --clean --log-level WARN `
    --distpath $Dist --workpath $work (Join-Path $root "packaging\pyinstaller\cfdesk.spec")
if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }

Write-Host "cfdesk: bundle in $Dist\cfdesk (run $Dist\cfdesk\cfdesk.exe)"
