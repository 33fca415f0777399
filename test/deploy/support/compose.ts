/**
 * The services of docker-compose.yml that run a given image, with their `command:` (flow-style
 * JSON arrays, as this project writes them; a service without one runs the image's CMD). Line
 * based, for this file's layout: a service is a two-space-indented key under `services:`.
 */
export function composeServicesOfImage(text: string, image: string): Map<string, string[] | undefined> {
  const services = new Map<string, { image?: string; command?: string[] }>();
  let inServices = false;
  let current: { image?: string; command?: string[] } | undefined;
  for (const line of text.split('\n')) {
    if (/^\S/.test(line)) {
      inServices = /^services:\s*$/.test(line);
      current = undefined;
      continue;
    }
    if (!inServices) continue;
    const service = /^ {2}([\w-]+):\s*$/.exec(line);
    if (service) {
      current = {};
      services.set(service[1]!, current);
      continue;
    }
    if (!current) continue;
    const imageLine = /^ {4}image:\s*(\S+)\s*$/.exec(line);
    if (imageLine) current.image = imageLine[1];
    const command = /^ {4}command:\s*(.+?)\s*$/.exec(line);
    if (command) {
      if (!command[1]!.startsWith('[')) throw new Error(`compose command is not a JSON array: ${command[1]}`);
      current.command = JSON.parse(command[1]!) as string[];
    }
  }
  return new Map([...services].filter(([, service]) => service.image === image).map(([name, service]) => [name, service.command]));
}
